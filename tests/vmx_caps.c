// SPDX-License-Identifier: GPL-2.0
/*
 * vmx_caps: the /dev/vtxhv device ioctls: API version, capability query,
 * rejection of unknown ioctls and arguments, and root-only access.
 */
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "vtxhv.h"
#include "vtxhv_test.h"

static int online_cpus(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

/* An unprivileged process must not open the device (mode 0600, root). */
static int open_as_nobody(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		_exit(open("/dev/vtxhv", O_RDWR) < 0 && errno == EACCES ?
		      0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(void)
{
	struct vtxhv_caps caps;
	int fd, ret;

	fd = open("/dev/vtxhv", O_RDWR);
	if (fd < 0 && errno == ENOENT)
		test_skip_all("/dev/vtxhv missing: vtxhv is not loaded");
	TEST_ASSERT(fd >= 0, "open /dev/vtxhv");

	test_plan(8);

	ret = ioctl(fd, VTXHV_GET_API_VERSION, 0);
	test_result(TEST_CHECK(ret == VTXHV_API_VERSION, "got %d", ret),
		    "api_version");

	ret = ioctl(fd, VTXHV_GET_API_VERSION, 1);
	test_result(TEST_CHECK(ret == -1 && errno == EINVAL,
			       "ret %d errno %d", ret, errno),
		    "api_version_rejects_argument");

	memset(&caps, 0xa5, sizeof(caps));
	ret = ioctl(fd, VTXHV_GET_CAPS, &caps);
	test_result(TEST_CHECK(ret == 0, "errno %d", errno) &&
		    TEST_CHECK(caps.size == sizeof(caps), "size %u",
			       caps.size) &&
		    TEST_CHECK(caps.api_version == VTXHV_API_VERSION, "%u",
			       caps.api_version) &&
		    TEST_CHECK(caps.reserved[0] == 0 && caps.reserved[6] == 0,
			       "reserved not cleared"),
		    "caps_query");

	test_result(TEST_CHECK(caps.cpus_online == (unsigned int)online_cpus(),
			       "%u vs %d", caps.cpus_online, online_cpus()) &&
		    TEST_CHECK(caps.cpus_in_vmx == caps.cpus_online,
			       "%u in VMX of %u", caps.cpus_in_vmx,
			       caps.cpus_online),
		    "every_cpu_in_vmx_root");

	/* IA32_VMX_BASIC (SDM A.1): the fields must agree with the raw MSR */
	test_result(TEST_CHECK(caps.vmcs_revision ==
			       (caps.vmx_basic & 0x7fffffff), "%#x",
			       caps.vmcs_revision) &&
		    TEST_CHECK(caps.vmcs_size ==
			       ((caps.vmx_basic >> 32) & 0x1fff), "%u",
			       caps.vmcs_size) &&
		    TEST_CHECK(caps.vmcs_memtype == 6, "%u",
			       caps.vmcs_memtype) &&
		    TEST_CHECK(caps.features & VTXHV_FEAT_MSR_BITMAP, "") &&
		    TEST_CHECK(caps.features & VTXHV_FEAT_IO_BITMAP, "") &&
		    TEST_CHECK((caps.cr0_fixed0 & 0x80000021) == 0x80000021,
			       "CR0 fixed0 %#llx",
			       (unsigned long long)caps.cr0_fixed0),
		    "caps_consistent_with_msrs");

	/* EPT and VPID follow the EPT/VPID capability MSR (SDM A.10) */
	test_result(TEST_CHECK(!(caps.features & VTXHV_FEAT_EPT) ||
			       (caps.ept_vpid_cap & (1ULL << 6)),
			       "EPT without 4-level walks") &&
		    TEST_CHECK(!(caps.features & VTXHV_FEAT_VPID) ||
			       (caps.ept_vpid_cap & (1ULL << 32)),
			       "VPID without INVVPID") &&
		    TEST_CHECK(!(caps.features & VTXHV_FEAT_UNRESTRICTED_GUEST) ||
			       (caps.features & VTXHV_FEAT_EPT),
			       "unrestricted guest without EPT"),
		    "ept_vpid_features");

	ret = ioctl(fd, _IO(VTXHV_IO, 0x7f), 0);
	test_result(TEST_CHECK(ret == -1 && errno == ENOTTY,
			       "ret %d errno %d", ret, errno),
		    "unknown_ioctl_enotty");

	ret = open_as_nobody();
	test_result(TEST_CHECK(ret == 0, "child said %d", ret),
		    "unprivileged_open_refused");

	close(fd);
	test_finish();
}
