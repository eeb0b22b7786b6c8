/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vtxhv tracepoints: VM entry and exit, event injection, EPT violations.
 * Enable them through tracefs (events/vtxhv/) or with trace-cmd and perf,
 * as for KVM's.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vtxhv

#if !defined(VTXHV_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define VTXHV_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(vtxhv_entry,
	TP_PROTO(int vm, int vcpu, u64 rip),
	TP_ARGS(vm, vcpu, rip),
	TP_STRUCT__entry(
		__field(int, vm)
		__field(int, vcpu)
		__field(u64, rip)
	),
	TP_fast_assign(
		__entry->vm = vm;
		__entry->vcpu = vcpu;
		__entry->rip = rip;
	),
	TP_printk("vm %d vcpu %d rip %#llx", __entry->vm, __entry->vcpu,
		  __entry->rip)
);

TRACE_EVENT(vtxhv_exit,
	TP_PROTO(int vm, int vcpu, u32 reason, u64 qual, u64 rip),
	TP_ARGS(vm, vcpu, reason, qual, rip),
	TP_STRUCT__entry(
		__field(int, vm)
		__field(int, vcpu)
		__field(u32, reason)
		__field(u64, qual)
		__field(u64, rip)
	),
	TP_fast_assign(
		__entry->vm = vm;
		__entry->vcpu = vcpu;
		__entry->reason = reason;
		__entry->qual = qual;
		__entry->rip = rip;
	),
	TP_printk("vm %d vcpu %d reason %u qual %#llx rip %#llx",
		  __entry->vm, __entry->vcpu, __entry->reason, __entry->qual,
		  __entry->rip)
);

TRACE_EVENT(vtxhv_inject,
	TP_PROTO(int vm, int vcpu, u32 info, u32 error_code),
	TP_ARGS(vm, vcpu, info, error_code),
	TP_STRUCT__entry(
		__field(int, vm)
		__field(int, vcpu)
		__field(u32, info)
		__field(u32, error_code)
	),
	TP_fast_assign(
		__entry->vm = vm;
		__entry->vcpu = vcpu;
		__entry->info = info;
		__entry->error_code = error_code;
	),
	TP_printk("vm %d vcpu %d vector %u type %u error %#x", __entry->vm,
		  __entry->vcpu, __entry->info & 0xff,
		  (__entry->info >> 8) & 7, __entry->error_code)
);

TRACE_EVENT(vtxhv_ept_violation,
	TP_PROTO(int vm, u64 gpa, u64 qual, int result),
	TP_ARGS(vm, gpa, qual, result),
	TP_STRUCT__entry(
		__field(int, vm)
		__field(u64, gpa)
		__field(u64, qual)
		__field(int, result)
	),
	TP_fast_assign(
		__entry->vm = vm;
		__entry->gpa = gpa;
		__entry->qual = qual;
		__entry->result = result;
	),
	TP_printk("vm %d gpa %#llx qual %#llx result %d", __entry->vm,
		  __entry->gpa, __entry->qual, __entry->result)
);

#endif /* VTXHV_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
