// SPDX-License-Identifier: GPL-2.0
/*
 * The firmware side of the ACPI multiprocessor wake-up mailbox (ACPI 6.4,
 * 5.2.12.19), which starts a Linux guest's APs without real mode, and so
 * without the unrestricted guest that the shadow paging modes lack.  Where
 * each piece goes is in acpi.h (FW_MAILBOX ...); the MADT entry is
 * acpi.c's, the APs' registers boot_regs.c's.
 *
 * Each AP starts in long mode in the loop below, RSI = the mailbox, EDI =
 * its APIC ID.  The OS writes ApicId and WakeupVector, then Command = 1,
 * and waits for Command to read 0 before its next request.  The loop
 * reads ApicId before Command: if it sees its own ID there, the OS wrote
 * it after it saw the previous request acknowledged, so the Command read
 * next is that acknowledgement's 0 or this request's 1, and the vector
 * read after a 1 is this request's (SDM Vol. 3A, "Memory Ordering in P6
 * and More Recent Processor Families": loads are not reordered with other
 * loads, and memory ordering obeys causality).  Reading Command first, an
 * AP could take another AP's request for one written meanwhile for itself,
 * and acknowledge it before the OS set Command, which then stays 1.
 */
#include <string.h>

#include "acpi.h"
#include "x86.h"

static const uint8_t ap_loop[] = {
	0xf3, 0x90,			/* 1: pause */
	0x39, 0x7e, 0x04,		/*    cmp %edi, 4(%rsi)  ApicId */
	0x75, 0xf9,			/*    jne 1b */
	0x66, 0x83, 0x3e, 0x01,		/*    cmpw $1, (%rsi)    Command */
	0x75, 0xf3,			/*    jne 1b */
	0x48, 0x8b, 0x46, 0x08,		/*    mov 8(%rsi), %rax  WakeupVector */
	0x66, 0xc7, 0x06, 0x00, 0x00,	/*    movw $0, (%rsi)    done */
	0xff, 0xe0,			/*    jmp *%rax */
};

_Static_assert(FW_AP_LOOP + sizeof(ap_loop) <= FW_AP_GDT &&
	       FW_AP_GDT + GDT_TSS_OFFSET + TSS_LIMIT + 1 <= FW_AP_TABLES,
	       "the loop and the GDT fit in the mailbox's firmware half");
_Static_assert(FW_AP_TABLES + FW_AP_TABLES_SIZE <= FW_BASE + FW_SIZE,
	       "the APs' page tables end in the BIOS area");

void fw_write_mp_wakeup(uint8_t *ram)
{
	memset(ram + FW_MAILBOX, 0, FW_AP_TABLES - FW_MAILBOX);
	memcpy(ram + FW_AP_LOOP, ap_loop, sizeof(ap_loop));
	x86_write_boot_gdt(ram + FW_AP_GDT, FW_AP_GDT, true);
	build_identity_map(ram, FW_BASE + FW_SIZE, FW_AP_TABLES, FW_AP_MAP);
}
