/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's fixed-width types for the headers that the module shares
 * with the host unit tests (emulate.h, apic_bus.h): <linux/types.h> in
 * the kernel, <stdint.h> and <stdbool.h> on the host.
 */
#ifndef VTXHV_HOST_TYPES_H
#define VTXHV_HOST_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
#endif

#endif /* VTXHV_HOST_TYPES_H */
