// SPDX-License-Identifier: GPL-2.0
/*
 * vtxctl info: the module's version and API, the CPU's VMX capabilities
 * and which of them vtxhv uses.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "nl_format.h"
#include "vtxctl.h"
#include "x86.h"

void usage_info(FILE *out)
{
	fprintf(out,
		"usage: %s info\n\n"
		"Print the vtxhv module and API versions, the CPUs in VMX root\n"
		"operation, and for each VMX feature whether the CPU has it and\n"
		"whether vtxhv uses it.\n",
		progname);
}

static const struct {
	unsigned int bit;
	const char *name;
} features[] = {
	{ VTXHV_FEAT_EPT, "ept" },
	{ VTXHV_FEAT_EPT_2M, "ept-2m-pages" },
	{ VTXHV_FEAT_EPT_1G, "ept-1g-pages" },
	{ VTXHV_FEAT_EPT_AD, "ept-accessed-dirty" },
	{ VTXHV_FEAT_INVEPT_SINGLE, "invept-single-context" },
	{ VTXHV_FEAT_VPID, "vpid" },
	{ VTXHV_FEAT_INVVPID_SINGLE, "invvpid-single-context" },
	{ VTXHV_FEAT_UNRESTRICTED_GUEST, "unrestricted-guest" },
	{ VTXHV_FEAT_PREEMPTION_TIMER, "preemption-timer" },
	{ VTXHV_FEAT_MSR_BITMAP, "msr-bitmap" },
	{ VTXHV_FEAT_IO_BITMAP, "io-bitmap" },
	{ VTXHV_FEAT_VIRTUAL_NMIS, "virtual-nmis" },
	{ VTXHV_FEAT_TSC_OFFSET, "tsc-offsetting" },
	{ VTXHV_FEAT_INVPCID, "invpcid" },
	{ VTXHV_FEAT_XSAVES, "xsaves" },
	{ VTXHV_FEAT_SHADOW_VMCS, "shadow-vmcs" },
	{ VTXHV_FEAT_PML, "page-modification-log" },
};

static void read_module_version(char *buf, size_t len)
{
	FILE *f = fopen("/sys/module/vtxhv/version", "r");

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

int cmd_info(int argc, char **argv)
{
	struct vtxhv_caps caps;
	char version[64];
	unsigned int i, n = 0;
	int fd;

	(void)argv;
	if (argc != 1) {
		usage_info(stderr);
		return EXIT_USAGE;
	}
	fd = vtxhv_open_device();
	memset(&caps, 0, sizeof(caps));
	if (ioctl(fd, VTXHV_GET_CAPS, &caps)) {
		perror("vtxctl: VTXHV_GET_CAPS");
		close(fd);
		return 1;
	}
	close(fd);
	read_module_version(version, sizeof(version));

	printf("module version:  %s\n", version);
	printf("API version:     %u (vtxctl %d)\n", caps.api_version,
	       VTXHV_API_VERSION);
	printf("CPUs:            %u online, %u in VMX root operation\n",
	       caps.cpus_online, caps.cpus_in_vmx);
	printf("VMCS:            revision %#x, %u bytes, memory type %u%s\n",
	       caps.vmcs_revision, caps.vmcs_size, caps.vmcs_memtype,
	       caps.vmcs_memtype == 6 ? " (write-back)" : "");
	printf("limits:          %u vCPUs per VM, %u memory slots per VM\n",
	       caps.max_vcpus, caps.max_mem_slots);
	printf("paging modes:   ");
	for (i = VTXHV_PAGING_EPT; i <= VTXHV_PAGING_SHADOW; i++) {
		if (caps.paging_modes & (1U << i)) {
			printf(" %s", paging_name(i));
			n++;
		}
	}
	printf("%s\n", n ? "" : " none (running guests is not implemented yet)");
	printf("\n%-24s %-5s %s\n", "feature", "cpu", "used");
	for (i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		printf("%-24s %-5s %s\n", features[i].name,
		       caps.features & features[i].bit ? "yes" : "no",
		       caps.used_features & features[i].bit ? "yes" : "no");
	printf("\nraw MSRs: basic %#llx pin %#llx proc %#llx proc2 %#llx\n"
	       "          exit %#llx entry %#llx misc %#llx ept/vpid %#llx\n",
	       (unsigned long long)caps.vmx_basic,
	       (unsigned long long)caps.pinbased_ctls,
	       (unsigned long long)caps.procbased_ctls,
	       (unsigned long long)caps.procbased_ctls2,
	       (unsigned long long)caps.exit_ctls,
	       (unsigned long long)caps.entry_ctls,
	       (unsigned long long)caps.vmx_misc,
	       (unsigned long long)caps.ept_vpid_cap);
	return 0;
}
