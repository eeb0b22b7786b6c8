/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What vtxctl's telemetry commands print (list, stats, top, events), as
 * text and as JSON, and top's rate computation: pure functions of the
 * structs nl.h parses into, unit-tested on the host
 * (tests/host/unit/nl_format_test.c).
 */
#ifndef VTXCTL_NL_FORMAT_H
#define VTXCTL_NL_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "nl.h"

/* A basic VMX exit reason's name ("CPUID"), or NULL if it has none. */
const char *vmx_exit_reason_name(unsigned int reason);
/*
 * An exit reason for display: the name, "REASON_71" for one without, and
 * the whole value in hex when it has flag bits (a failed VM entry's
 * 0x80000021: "INVALID_STATE(0x80000021)").
 */
const char *exit_reason_str(uint32_t reason, char *buf, size_t len);
const char *vm_state_name(uint32_t state);	/* "idle", "running", ... */
const char *event_type_name(uint32_t type);	/* "vm-created", ... */

/* Bytes the way --mem takes them: "64M", "1536K", "12345". */
char *format_size(uint64_t bytes, char *buf, size_t len);
/* CLOCK_REALTIME ns in ISO 8601 UTC, with milliseconds if @ms. */
char *format_time(uint64_t ns, int ms, char *buf, size_t len);
/* A command name fit for a terminal: control characters and invalid
 * UTF-8 become '?'.
 */
char *format_comm(const char *comm, char *buf, size_t len);
/*
 * @s as a JSON string, quotes included: '"' and '\' escaped, control
 * characters as \n, \t, ... or \u00XX, and bytes that are not UTF-8 as
 * U+FFFD, so that the output is valid JSON whatever a process calls itself.
 */
void json_string(FILE *f, const char *s);

/* vtxctl list: a header and one line per VM, or a JSON array. */
void list_print_header(FILE *f);
void list_print_vm(FILE *f, const struct vtxhv_vm_info *vm);
void list_print_json(FILE *f, const struct vtxhv_vm_info *vms, size_t n);

/* vtxctl stats: the sum over the vCPUs (its id is the vCPU count). */
void stats_total(const struct vtxhv_vm_stats *s,
		 struct vtxhv_vcpu_stats *total);
void stats_print(FILE *f, const struct vtxhv_vm_info *vm,
		 const struct vtxhv_vm_stats *s);
void stats_print_json(FILE *f, const struct vtxhv_vm_info *vm,
		      const struct vtxhv_vm_stats *s);

/* vtxctl events: one line, or one JSON object, per event. */
void event_print(FILE *f, const struct vtxhv_event *ev, uint64_t now_ns);
void event_print_json(FILE *f, const struct vtxhv_event *ev,
		      uint64_t now_ns);

/* vtxctl top: one VM in a sample, its exits summed over the vCPUs. */
struct top_vm {
	uint32_t id;
	uint32_t pid;
	uint64_t created_ns;	/* with @id, tells a reused id apart */
	char comm[VTXHV_COMM_LEN];
	uint64_t exits[VTXHV_NL_EXIT_REASONS];
};

#define TOP_ALL_REASONS	UINT32_MAX

/* A VM (reason TOP_ALL_REASONS) or one exit reason of a VM. */
struct top_row {
	uint32_t vm;
	uint32_t reason;
	uint32_t pid;
	char comm[VTXHV_COMM_LEN];
	uint64_t delta;		/* exits during the interval */
	uint64_t count;		/* exits since the VM was created */
	double rate;		/* delta per second */
};

struct top_view {
	double secs;
	struct top_row *vms;		/* every VM of the sample */
	size_t nvms;
	struct top_row *reasons;	/* (VM, reason) with exits in the interval */
	size_t nreasons;
	uint64_t total_delta, total_count;
	double total_rate;
};

/*
 * The rates between two samples taken @secs apart.  A VM absent from
 * @prev (or whose id now names a newer VM) counts from zero.  Rows are
 * sorted by rate, highest first, then by VM id and reason.  0 or -ENOMEM.
 */
int top_compute(const struct top_vm *prev, size_t nprev,
		const struct top_vm *cur, size_t ncur, double secs,
		struct top_view *view);
void top_view_free(struct top_view *view);
void top_print(FILE *f, const struct top_view *view, uint64_t now_ns);

/* Shadow paging counters (enum vtxhv_shadow_stat), one line. */
extern const char *const shadow_stat_names[VTXHV_SH_NR];
void shadow_stats_print(FILE *f, const uint64_t *sh);

#endif /* VTXCTL_NL_FORMAT_H */
