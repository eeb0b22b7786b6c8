// SPDX-License-Identifier: GPL-2.0
/*
 * The text and JSON output of vtxctl list, stats, top and events, and
 * top's rates.  No I/O but the FILE handed in, no netlink: the host unit
 * tests drive every function here with structs they fill themselves.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <asm/vmx.h>

#include "nl_format.h"
#include "vtxhv.h"
#include "x86.h"

/* ---- Names -------------------------------------------------------------- */

/* The kernel's own table of exit-reason names (uapi <asm/vmx.h>)... */
static const struct {
	unsigned int reason;
	const char *name;
} vmx_reasons[] = { VMX_EXIT_REASONS },
/* ...and the reasons the SDM (Vol. 3D, Appendix C) defines that it lacks. */
sdm_reasons[] = {
	{ 5, "IO_SMI" },
	{ 6, "OTHER_SMI" },
	{ 11, "GETSEC" },
	{ 17, "RSM" },
	{ 66, "SPP_EVENT" },
	{ 69, "LOADIWKEY" },
	{ 70, "ENCLV" },
	{ 72, "ENQCMD_PASID_FAIL" },
	{ 73, "ENQCMDS_PASID_FAIL" },
	{ 76, "SEAMCALL" },
	{ 77, "TDCALL" },
	{ 78, "RDMSRLIST" },
	{ 79, "WRMSRLIST" },
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

const char *vmx_exit_reason_name(unsigned int reason)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vmx_reasons); i++)
		if (vmx_reasons[i].reason == reason)
			return vmx_reasons[i].name;
	for (i = 0; i < ARRAY_SIZE(sdm_reasons); i++)
		if (sdm_reasons[i].reason == reason)
			return sdm_reasons[i].name;
	return NULL;
}

const char *exit_reason_str(uint32_t reason, char *buf, size_t len)
{
	const char *name = vmx_exit_reason_name(reason & 0xffff);
	char num[24];

	if (!name) {
		snprintf(num, sizeof(num), "REASON_%u", reason & 0xffff);
		name = num;
	}
	if (reason > 0xffff)
		snprintf(buf, len, "%s(%#x)", name, reason);
	else
		snprintf(buf, len, "%s", name);
	return buf;
}

const char *vm_state_name(uint32_t state)
{
	switch (state) {
	case VTXHV_VM_STATE_IDLE:
		return "idle";
	case VTXHV_VM_STATE_RUNNING:
		return "running";
	case VTXHV_VM_STATE_SHUTDOWN:
		return "shutdown";
	}
	return "?";
}

const char *event_type_name(uint32_t type)
{
	switch (type) {
	case VTXHV_EVENT_VM_CREATED:
		return "vm-created";
	case VTXHV_EVENT_VM_DESTROYED:
		return "vm-destroyed";
	case VTXHV_EVENT_SHUTDOWN:
		return "shutdown";
	case VTXHV_EVENT_FAIL_ENTRY:
		return "fail-entry";
	case VTXHV_EVENT_INTERNAL_ERROR:
		return "internal-error";
	}
	return "unknown";
}

/* ---- Values ------------------------------------------------------------- */

char *format_size(uint64_t bytes, char *buf, size_t len)
{
	static const struct {
		unsigned int shift;
		char suffix;
	} units[] = { { 30, 'G' }, { 20, 'M' }, { 10, 'K' } };
	size_t i;

	for (i = 0; bytes && i < ARRAY_SIZE(units); i++) {
		if (bytes & ((1ULL << units[i].shift) - 1))
			continue;
		snprintf(buf, len, "%" PRIu64 "%c", bytes >> units[i].shift,
			 units[i].suffix);
		return buf;
	}
	snprintf(buf, len, "%" PRIu64, bytes);
	return buf;
}

char *format_time(uint64_t ns, int ms, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000);
	char date[32];
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(buf, len, "?");
		return buf;
	}
	if (ms)
		snprintf(buf, len, "%s.%03uZ", date,
			 (unsigned int)(ns % 1000000000 / 1000000));
	else
		snprintf(buf, len, "%sZ", date);
	return buf;
}

/* The length of the valid UTF-8 sequence at @s, or 0 (RFC 3629). */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		/* overlong forms, UTF-16 surrogates */
		if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0))
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		/* overlong forms, beyond U+10FFFF */
		if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

char *format_comm(const char *comm, char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)comm;
	size_t o = 0, n;

	if (!len)
		return buf;
	while (*s && o + 1 < len) {
		n = utf8_len(s);
		if (n <= 1 || o + n >= len) {
			/* one byte, or a sequence that does not fit */
			buf[o++] = (n == 1 && *s >= 0x20 && *s != 0x7f) ?
				   (char)*s : '?';
			s++;
			continue;
		}
		memcpy(buf + o, s, n);
		o += n;
		s += n;
	}
	buf[o] = '\0';
	return buf;
}

void json_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	fputc('"', f);
	while (*s) {
		n = utf8_len(s);
		if (!n) {
			fputs("\\ufffd", f);
			s++;
			continue;
		}
		if (n > 1) {
			fwrite(s, 1, n, f);
			s += n;
			continue;
		}
		switch (*s) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			/* DEL too: JSON allows it, terminals do not like it. */
			if (*s < 0x20 || *s == 0x7f)
				fprintf(f, "\\u%04x", *s);
			else
				fputc(*s, f);
		}
		s++;
	}
	fputc('"', f);
}

/* ---- vtxctl list -------------------------------------------------------- */

#define LIST_FMT	"%4s %7s  %-16s %5s %7s  %-6s %-8s  %s\n"

void list_print_header(FILE *f)
{
	fprintf(f, LIST_FMT, "ID", "PID", "COMM", "VCPUS", "MEMORY", "PAGING",
		"STATE", "CREATED");
}

void list_print_vm(FILE *f, const struct vtxhv_vm_info *vm)
{
	char id[16], pid[16], vcpus[16], mem[32], comm[64], created[64];

	snprintf(id, sizeof(id), "%u", vm->id);
	snprintf(pid, sizeof(pid), "%u", vm->pid);
	snprintf(vcpus, sizeof(vcpus), "%u", vm->nr_vcpus);
	fprintf(f, LIST_FMT, id, pid, format_comm(vm->comm, comm, sizeof(comm)),
		vcpus, format_size(vm->mem_size, mem, sizeof(mem)),
		paging_name(vm->paging), vm_state_name(vm->state),
		format_time(vm->created_ns, 0, created, sizeof(created)));
}

static void vm_json_fields(FILE *f, const struct vtxhv_vm_info *vm)
{
	char created[64];

	fprintf(f, "\"id\":%u,\"pid\":%u,\"uid\":%u,\"comm\":", vm->id,
		vm->pid, vm->uid);
	json_string(f, vm->comm);
	fprintf(f,
		",\"vcpus\":%u,\"mem_bytes\":%" PRIu64
		",\"paging\":\"%s\",\"state\":\"%s\",\"created\":\"%s\",\"created_ns\":%" PRIu64,
		vm->nr_vcpus, vm->mem_size, paging_name(vm->paging),
		vm_state_name(vm->state),
		format_time(vm->created_ns, 0, created, sizeof(created)),
		vm->created_ns);
}

void list_print_json(FILE *f, const struct vtxhv_vm_info *vms, size_t n)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		fputs(i ? ",{" : "{", f);
		vm_json_fields(f, &vms[i]);
		fputc('}', f);
	}
	fputs("]\n", f);
}

/* ---- vtxctl stats ------------------------------------------------------- */

void stats_total(const struct vtxhv_vm_stats *s,
		 struct vtxhv_vcpu_stats *total)
{
	unsigned int i, r;

	memset(total, 0, sizeof(*total));
	total->id = s->nr_vcpus;
	for (i = 0; i < s->nr_vcpus; i++) {
		const struct vtxhv_vcpu_stats *v = &s->vcpus[i];

		total->guest_ns += v->guest_ns;
		total->exit_ns += v->exit_ns;
		total->injected += v->injected;
		total->ept_violations += v->ept_violations;
		for (r = 0; r < VTXHV_NL_EXIT_REASONS; r++)
			total->exits[r] += v->exits[r];
		total->has_shadow |= v->has_shadow;
		for (r = 0; r < VTXHV_SH_NR; r++)
			total->shadow[r] += v->shadow[r];
	}
}

static uint64_t exits_sum(const struct vtxhv_vcpu_stats *v)
{
	uint64_t n = 0;
	unsigned int r;

	for (r = 0; r < VTXHV_NL_EXIT_REASONS; r++)
		n += v->exits[r];
	return n;
}

/* enum vtxhv_shadow_stat, as vtxctl names the counters. */
const char *const shadow_stat_names[VTXHV_SH_NR] = {
	[VTXHV_SH_FAULTS_FIXED] = "faults_fixed",
	[VTXHV_SH_FAULTS_REFLECTED] = "faults_reflected",
	[VTXHV_SH_CR3_LOADS] = "cr3_loads",
	[VTXHV_SH_ROOT_HITS] = "root_hits",
	[VTXHV_SH_ROOT_MISSES] = "root_misses",
	[VTXHV_SH_WP_TRAPS] = "pt_writes",
	[VTXHV_SH_RESYNCED] = "resynced",
	[VTXHV_SH_INVLPG] = "invlpg",
	[VTXHV_SH_UNSYNCED] = "unsynced",
	[VTXHV_SH_REMOTE_FLUSHES] = "remote_flushes",
};

void shadow_stats_print(FILE *f, const uint64_t *sh)
{
	unsigned int i;

	fputs("  shadow paging:", f);
	for (i = 0; i < VTXHV_SH_NR; i++)
		fprintf(f, " %s %" PRIu64, shadow_stat_names[i], sh[i]);
	fputc('\n', f);
}

static void print_counters(FILE *f, const char *what,
			   const struct vtxhv_vcpu_stats *v)
{
	char name[48];
	unsigned int r;

	fprintf(f,
		"%s: guest %" PRIu64 ".%06" PRIu64 " s, exit handling %" PRIu64
		".%06" PRIu64 " s, %" PRIu64 " injected, %" PRIu64
		" EPT violations, %" PRIu64 " exits\n",
		what, v->guest_ns / 1000000000, v->guest_ns % 1000000000 / 1000,
		v->exit_ns / 1000000000, v->exit_ns % 1000000000 / 1000,
		v->injected, v->ept_violations, exits_sum(v));
	if (v->has_shadow)
		shadow_stats_print(f, v->shadow);
	for (r = 0; r < VTXHV_NL_EXIT_REASONS; r++)
		if (v->exits[r])
			fprintf(f, "  %3u %-24s %14" PRIu64 "\n", r,
				exit_reason_str(r, name, sizeof(name)),
				v->exits[r]);
}

void stats_print(FILE *f, const struct vtxhv_vm_info *vm,
		 const struct vtxhv_vm_stats *s)
{
	struct vtxhv_vcpu_stats total;
	char comm[64], mem[32], created[64], what[32];
	unsigned int i;

	fprintf(f, "VM %u: pid %u (%s), %u vCPU%s, %s, %s, %s, created %s\n",
		s->vm_id, vm->pid, format_comm(vm->comm, comm, sizeof(comm)),
		s->nr_vcpus, s->nr_vcpus == 1 ? "" : "s",
		format_size(vm->mem_size, mem, sizeof(mem)),
		paging_name(vm->paging), vm_state_name(vm->state),
		format_time(vm->created_ns, 0, created, sizeof(created)));
	for (i = 0; i < s->nr_vcpus; i++) {
		snprintf(what, sizeof(what), "vCPU %u", s->vcpus[i].id);
		fputc('\n', f);
		print_counters(f, what, &s->vcpus[i]);
	}
	stats_total(s, &total);
	fputc('\n', f);
	print_counters(f, "total", &total);
}

static void counters_json(FILE *f, const struct vtxhv_vcpu_stats *v)
{
	char name[48];
	unsigned int r;
	int first = 1;

	fprintf(f,
		"\"guest_ns\":%" PRIu64 ",\"exit_ns\":%" PRIu64
		",\"injected\":%" PRIu64 ",\"ept_violations\":%" PRIu64
		",\"exits_total\":%" PRIu64 ",\"exits\":{",
		v->guest_ns, v->exit_ns, v->injected, v->ept_violations,
		exits_sum(v));
	for (r = 0; r < VTXHV_NL_EXIT_REASONS; r++) {
		if (!v->exits[r])
			continue;
		fprintf(f, "%s\"%s\":%" PRIu64, first ? "" : ",",
			exit_reason_str(r, name, sizeof(name)), v->exits[r]);
		first = 0;
	}
	fputc('}', f);
	if (!v->has_shadow)
		return;
	fputs(",\"shadow\":{", f);
	for (r = 0; r < VTXHV_SH_NR; r++)
		fprintf(f, "%s\"%s\":%" PRIu64, r ? "," : "",
			shadow_stat_names[r], v->shadow[r]);
	fputc('}', f);
}

void stats_print_json(FILE *f, const struct vtxhv_vm_info *vm,
		      const struct vtxhv_vm_stats *s)
{
	struct vtxhv_vcpu_stats total;
	unsigned int i;

	fputc('{', f);
	vm_json_fields(f, vm);
	fputs(",\"per_vcpu\":[", f);
	for (i = 0; i < s->nr_vcpus; i++) {
		fprintf(f, "%s{\"id\":%u,", i ? "," : "", s->vcpus[i].id);
		counters_json(f, &s->vcpus[i]);
		fputc('}', f);
	}
	stats_total(s, &total);
	fputs("],\"total\":{", f);
	counters_json(f, &total);
	fputs("}}\n", f);
}

/* ---- vtxctl events ------------------------------------------------------ */

void event_print(FILE *f, const struct vtxhv_event *ev, uint64_t now_ns)
{
	char time[64], reason[48], comm[64];

	fprintf(f, "%s %s vm=%u pid=%u",
		format_time(now_ns, 1, time, sizeof(time)),
		event_type_name(ev->type), ev->vm_id, ev->pid);
	if (ev->has_vcpu)
		fprintf(f, " vcpu=%u", ev->vcpu);
	if (ev->has_reason)
		fprintf(f, " reason=%s",
			exit_reason_str(ev->reason, reason, sizeof(reason)));
	if (ev->has_rip)
		fprintf(f, " rip=%#" PRIx64, ev->rip);
	/* The command name last: it may contain spaces. */
	fprintf(f, " value=%" PRIu64 " comm=%s\n", ev->value,
		format_comm(ev->comm, comm, sizeof(comm)));
}

void event_print_json(FILE *f, const struct vtxhv_event *ev,
		      uint64_t now_ns)
{
	char time[64], reason[48];

	fprintf(f, "{\"time\":\"%s\",\"type\":\"%s\",\"vm\":%u,\"pid\":%u,"
		"\"comm\":", format_time(now_ns, 1, time, sizeof(time)),
		event_type_name(ev->type), ev->vm_id, ev->pid);
	json_string(f, ev->comm);
	if (ev->has_vcpu)
		fprintf(f, ",\"vcpu\":%u", ev->vcpu);
	if (ev->has_reason)
		fprintf(f, ",\"reason\":%u,\"reason_name\":\"%s\"",
			ev->reason,
			exit_reason_str(ev->reason, reason, sizeof(reason)));
	/* As a string: a 64-bit address does not fit a JSON double. */
	if (ev->has_rip)
		fprintf(f, ",\"rip\":\"%#" PRIx64 "\"", ev->rip);
	fprintf(f, ",\"value\":%" PRIu64 "}\n", ev->value);
}

/* ---- vtxctl top --------------------------------------------------------- */

static const struct top_vm *find_prev(const struct top_vm *prev,
				      size_t nprev, const struct top_vm *vm)
{
	size_t i;

	for (i = 0; i < nprev; i++)
		if (prev[i].id == vm->id &&
		    prev[i].created_ns == vm->created_ns)
			return &prev[i];
	return NULL;
}

/* Highest rate first; equal rates by VM id, then reason. */
static int by_rate(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	if (x->delta != y->delta)
		return x->delta > y->delta ? -1 : 1;
	if (x->vm != y->vm)
		return x->vm < y->vm ? -1 : 1;
	return x->reason < y->reason ? -1 : x->reason > y->reason;
}

static void row_init(struct top_row *row, const struct top_vm *vm,
		     uint32_t reason)
{
	memset(row, 0, sizeof(*row));
	row->vm = vm->id;
	row->pid = vm->pid;
	row->reason = reason;
	memcpy(row->comm, vm->comm, sizeof(row->comm));
	row->comm[sizeof(row->comm) - 1] = '\0';
}

int top_compute(const struct top_vm *prev, size_t nprev,
		const struct top_vm *cur, size_t ncur, double secs,
		struct top_view *view)
{
	size_t i, nreasons = 0;
	unsigned int r;

	memset(view, 0, sizeof(*view));
	view->secs = secs;
	if (!ncur)
		return 0;
	view->vms = calloc(ncur, sizeof(*view->vms));
	view->reasons = calloc(ncur * VTXHV_NL_EXIT_REASONS,
			       sizeof(*view->reasons));
	if (!view->vms || !view->reasons) {
		top_view_free(view);
		return -ENOMEM;
	}
	for (i = 0; i < ncur; i++) {
		const struct top_vm *p = find_prev(prev, nprev, &cur[i]);
		struct top_row *vrow = &view->vms[i];

		row_init(vrow, &cur[i], TOP_ALL_REASONS);
		for (r = 0; r < VTXHV_NL_EXIT_REASONS; r++) {
			uint64_t now = cur[i].exits[r], before = 0, d;
			struct top_row *row;

			/* Counters only grow; a smaller one is a new VM. */
			if (p && p->exits[r] <= now)
				before = p->exits[r];
			d = now - before;
			vrow->delta += d;
			vrow->count += now;
			if (!d)
				continue;
			row = &view->reasons[nreasons++];
			row_init(row, &cur[i], r);
			row->delta = d;
			row->count = now;
			row->rate = secs > 0 ? d / secs : 0;
		}
		vrow->rate = secs > 0 ? vrow->delta / secs : 0;
		view->total_delta += vrow->delta;
		view->total_count += vrow->count;
	}
	view->nvms = ncur;
	view->nreasons = nreasons;
	view->total_rate = secs > 0 ? view->total_delta / secs : 0;
	qsort(view->vms, view->nvms, sizeof(*view->vms), by_rate);
	qsort(view->reasons, view->nreasons, sizeof(*view->reasons), by_rate);
	return 0;
}

void top_view_free(struct top_view *view)
{
	free(view->vms);
	free(view->reasons);
	view->vms = view->reasons = NULL;
	view->nvms = view->nreasons = 0;
}

void top_print(FILE *f, const struct top_view *v, uint64_t now_ns)
{
	char time[64], comm[64], name[48];
	size_t i;

	fprintf(f,
		"vtxhv top  %s  interval %.2f s  %zu VM%s  %.1f exits/s\n\n",
		format_time(now_ns, 0, time, sizeof(time)), v->secs, v->nvms,
		v->nvms == 1 ? "" : "s", v->total_rate);
	fprintf(f, "%4s %7s  %-16s %12s %14s\n", "VM", "PID", "COMM",
		"EXITS/s", "TOTAL");
	for (i = 0; i < v->nvms; i++)
		fprintf(f, "%4u %7u  %-16s %12.1f %14" PRIu64 "\n",
			v->vms[i].vm, v->vms[i].pid,
			format_comm(v->vms[i].comm, comm, sizeof(comm)),
			v->vms[i].rate, v->vms[i].count);
	fprintf(f, "%4s %7s  %-16s %12.1f %14" PRIu64 "\n\n", "all", "", "",
		v->total_rate, v->total_count);
	fprintf(f, "%4s %-26s %12s %14s\n", "VM", "REASON", "EXITS/s",
		"TOTAL");
	for (i = 0; i < v->nreasons; i++)
		fprintf(f, "%4u %-26s %12.1f %14" PRIu64 "\n",
			v->reasons[i].vm,
			exit_reason_str(v->reasons[i].reason, name,
					sizeof(name)),
			v->reasons[i].rate, v->reasons[i].count);
}
