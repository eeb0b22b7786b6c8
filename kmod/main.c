// SPDX-License-Identifier: GPL-2.0
/*
 * vtxhv: a small hypervisor for Intel VT-x as a loadable module.
 *
 * This file holds module load and unload and the /dev/vtxhv character
 * device with its device-level ioctls (API version, capabilities).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/uaccess.h>

#include "vtxhv.h"

static struct dentry *vtxhv_debugfs;

bool vtxhv_force_shadow;
module_param_named(force_shadow, vtxhv_force_shadow, bool, 0444);
MODULE_PARM_DESC(force_shadow,
		 "Offer only the shadow paging modes, even where EPT exists");

/*
 * debugfs vtxhv/counts: what the module holds now.  All zero when no VM
 * exists: the leak checks of the tests read it.
 */
static int counts_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "vms %ld\nvcpus %ld\nept_pages %ld\npinned_pages %ld\nshadow_pages %ld\n",
		   atomic_long_read(&vtxhv_counts.vms),
		   atomic_long_read(&vtxhv_counts.vcpus),
		   atomic_long_read(&vtxhv_counts.ept_pages),
		   atomic_long_read(&vtxhv_counts.pinned_pages),
		   atomic_long_read(&vtxhv_counts.shadow_pages));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(counts);

static long vtxhv_get_caps(void __user *argp)
{
	struct vtxhv_caps caps = {
		.size = sizeof(caps),
		.api_version = VTXHV_API_VERSION,
		.max_vcpus = VTXHV_MAX_VCPUS,
		.max_mem_slots = VTXHV_MAX_MEM_SLOTS,
	};

	vtxhv_fill_caps(&caps);
	if (copy_to_user(argp, &caps, sizeof(caps)))
		return -EFAULT;
	return 0;
}

static long vtxhv_dev_ioctl(struct file *filp, unsigned int cmd,
			    unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	if (!vtxhv_vmx_usable())
		return -ESHUTDOWN;

	switch (cmd) {
	case VTXHV_GET_API_VERSION:
		if (arg)
			return -EINVAL;
		return VTXHV_API_VERSION;
	case VTXHV_GET_CAPS:
		return vtxhv_get_caps(argp);
	case VTXHV_CREATE_VM:
		return vtxhv_create_vm(argp);
	case VTXHV_GET_RUN_SIZE:
		return arg ? -EINVAL : PAGE_SIZE;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations vtxhv_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = vtxhv_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* Root-only by default; see docs/install.md for giving it to a group. */
static struct miscdevice vtxhv_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vtxhv",
	.fops = &vtxhv_dev_fops,
	.mode = 0600,
};

static int __init vtxhv_init(void)
{
	int ret;

	ret = vtxhv_vmx_check();
	if (ret)
		return ret;

	ret = vtxhv_vmcs_global_init();
	if (ret)
		return ret;
	vtxhv_mitigations_init();

	ret = vtxhv_vmx_root_init();
	if (ret)
		goto out_vmcs;

	ret = vtxhv_genl_init();
	if (ret) {
		pr_err("cannot register the generic-netlink family (%d)\n", ret);
		goto out_vmx_root;
	}

	ret = misc_register(&vtxhv_dev);
	if (ret) {
		pr_err("cannot register /dev/vtxhv (%d)\n", ret);
		goto out_genl;
	}
	vtxhv_debugfs = debugfs_create_dir("vtxhv", NULL);
	debugfs_create_file("counts", 0400, vtxhv_debugfs, NULL, &counts_fops);
	pr_info("version %s loaded, API %d\n", VTXHV_VERSION,
		VTXHV_API_VERSION);
	return 0;

out_genl:
	vtxhv_genl_exit();
out_vmx_root:
	vtxhv_vmx_root_exit();
out_vmcs:
	vtxhv_vmcs_global_exit();
	return ret;
}

static void __exit vtxhv_exit(void)
{
	debugfs_remove_recursive(vtxhv_debugfs);
	misc_deregister(&vtxhv_dev);
	vtxhv_genl_exit();
	vtxhv_vmx_root_exit();
	vtxhv_vmcs_global_exit();
	pr_info("unloaded\n");
}

module_init(vtxhv_init);
module_exit(vtxhv_exit);

MODULE_DESCRIPTION("vtxhv: a small hypervisor for Intel VT-x");
MODULE_AUTHOR("The vtxhv developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(VTXHV_VERSION);
