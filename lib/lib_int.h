/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvtxhv's own structures, shared by its files and by no one else: the
 * public header keeps struct vtxhv_vm and struct vtxhv_vcpu opaque, so
 * that they can grow without breaking programs linked to libvtxhv.so.0.
 */
#ifndef LIBVTXHV_INT_H
#define LIBVTXHV_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "libvtxhv.h"

/* What one struct vtxhv_vm tracks; the module may allow more. */
#define VTXHV_LIB_MAX_SLOTS	32
#define VTXHV_LIB_MAX_VCPUS	64

struct lib_slot {
	uint64_t gpa, size;	/* size 0: a free slot */
	void *hva;
	bool mapped;		/* the library mmap()ed it */
};

struct vtxhv_vm {
	int dev, fd;
	uint32_t paging;
	uint64_t extensions;	/* caps.extensions */
	unsigned int max_slots;
	int run_size;
	int id;			/* the module's VM id, 0 until asked */
	/*
	 * CLOCK_REALTIME around VTXHV_CREATE_VM: the module's created_ns
	 * lies between them, which tells this VM from the process's others.
	 */
	uint64_t created_lo, created_hi;
	struct lib_slot slot[VTXHV_LIB_MAX_SLOTS];
	struct vtxhv_vcpu *vcpus[VTXHV_LIB_MAX_VCPUS];
	struct vtxhv_vm *next;	/* the process's VMs (vtxhv.c) */
};

struct vtxhv_vcpu {
	struct vtxhv_vm *vm;
	unsigned int id;
	int fd;
	struct vtxhv_run *run;
};

/*
 * Claim @id for @vm unless another VM of this process holds it: 0, or
 * -EEXIST.
 */
int lib_claim_vm_id(struct vtxhv_vm *vm, int id);

#endif /* LIBVTXHV_INT_H */
