// SPDX-License-Identifier: GPL-2.0
/*
 * libvtxhv's counters: a VM's per-vCPU exit counts, times and shadow
 * paging counters, read over the generic-netlink family as vtxctl stats
 * reads them (userspace/nl.c).  Its own file, so that a program that
 * reads no counters links without libnl.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib_int.h"
#include "nl.h"

_Static_assert(VTXHV_COUNTER_EXITS == VTXHV_NL_EXIT_REASONS, "exits");
_Static_assert(VTXHV_COUNTER_SHADOW >= VTXHV_SH_NR, "shadow counters");

static int connect_nl(struct vtxhv_nl **nl)
{
	int ret = vtxhv_nl_connect(nl);

	return ret < 0 ? -vtxhv_nl_errno(ret) : 0;
}

int vtxhv_vm_id(struct vtxhv_vm *vm)
{
	struct vtxhv_nl_error err;
	struct vtxhv_vm_info *vms;
	struct vtxhv_nl *nl;
	size_t n, i;
	int ret, found = 0;

	if (vm->id)
		return vm->id;
	ret = connect_nl(&nl);
	if (ret)
		return ret;
	ret = vtxhv_nl_list_vms(nl, &vms, &n, &err);
	vtxhv_nl_close(nl);
	if (ret)
		return ret;
	/*
	 * This process's VMs created while vtxhv_vm_create() waited for
	 * VTXHV_CREATE_VM, and not claimed by another struct vtxhv_vm: one,
	 * unless threads created VMs at the same time.
	 */
	for (i = 0; i < n; i++) {
		if (vms[i].pid != (uint32_t)getpid() ||
		    vms[i].created_ns < vm->created_lo ||
		    vms[i].created_ns > vm->created_hi ||
		    lib_claim_vm_id(vm, vms[i].id))
			continue;
		if (found) {
			found = -ENOTUNIQ;
			break;
		}
		found = vms[i].id;
	}
	free(vms);
	vm->id = found > 0 ? found : 0;
	return found ? found : -ENOENT;
}

int vtxhv_vm_counters(struct vtxhv_vm *vm, struct vtxhv_vcpu_counters *c,
		      unsigned int max, uint64_t *shadow_pages)
{
	struct vtxhv_nl_error err;
	struct vtxhv_vm_stats st;
	struct vtxhv_nl *nl;
	unsigned int i;
	int id = vtxhv_vm_id(vm), ret;

	if (id < 0)
		return id;
	ret = connect_nl(&nl);
	if (ret)
		return ret;
	ret = vtxhv_nl_get_stats(nl, id, &st, &err);
	vtxhv_nl_close(nl);
	if (ret)
		return ret;
	for (i = 0; i < st.nr_vcpus && i < max; i++) {
		const struct vtxhv_vcpu_stats *v = &st.vcpus[i];

		memset(&c[i], 0, sizeof(c[i]));
		c[i].id = v->id;
		c[i].has_shadow = v->has_shadow;
		c[i].guest_ns = v->guest_ns;
		c[i].exit_ns = v->exit_ns;
		c[i].injected = v->injected;
		c[i].ept_violations = v->ept_violations;
		memcpy(c[i].exits, v->exits, sizeof(v->exits));
		memcpy(c[i].shadow, v->shadow, sizeof(v->shadow));
	}
	if (shadow_pages)
		*shadow_pages = st.shadow_pages;
	ret = st.nr_vcpus;
	vtxhv_vm_stats_free(&st);
	return ret;
}
