/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello32-mb: a multiboot v1 kernel with the address fields (flag bit 16),
 * built as a flat binary for 1 MiB.  It checks the bootloader magic in
 * EAX, prints on the debug console the upper memory size, the command line
 * and the first bytes of module 0 from the information structure at EBX,
 * and writes 0x10 to the exit device (exit status 0x21 = 33).  A wrong
 * magic writes 1 instead (status 3).
 */
#include "guest.h"

#define MB_BOOT_MAGIC	0x2badb002
#define MBI_FLAGS	0
#define MBI_MEM_UPPER	8
#define MBI_CMDLINE	16
#define MBI_MODS_COUNT	20
#define MBI_MODS_ADDR	24
#define MBI_F_CMDLINE	(1 << 2)
#define MBI_F_MODS	(1 << 3)
#define MOD_BYTES	16		/* printed of module 0, at most */

	multiboot_start entry

entry:
	mov $stack_top, %esp
	cmp $MB_BOOT_MAGIC, %eax
	jne bad_magic
	mov %ebx, %ebp

	mov $s_mem, %esi
	call puts
	mov MBI_MEM_UPPER(%ebp), %eax
	call putdec
	call newline

	testl $MBI_F_CMDLINE, MBI_FLAGS(%ebp)
	jz 1f
	mov $s_cmdline, %esi
	call puts
	mov MBI_CMDLINE(%ebp), %esi
	call puts
	call newline
1:
	testl $MBI_F_MODS, MBI_FLAGS(%ebp)
	jz 3f
	cmpl $0, MBI_MODS_COUNT(%ebp)
	je 3f
	mov $s_initrd, %esi
	call puts
	mov MBI_MODS_ADDR(%ebp), %ebx
	mov (%ebx), %esi		/* mod_start */
	mov 4(%ebx), %ecx		/* mod_end */
	sub %esi, %ecx
	cmp $MOD_BYTES, %ecx
	jbe 2f
	mov $MOD_BYTES, %ecx
2:	mov $DEBUGCON, %dx
	rep outsb
	call newline
3:
	mov $0x10, %al
	out %al, $EXIT_PORT
	hlt

bad_magic:
	mov $s_bad, %esi
	call puts
	mov $1, %al
	out %al, $EXIT_PORT
	hlt

	debugcon_print_funcs

newline:
	mov $'\n', %al
	out %al, $DEBUGCON
	ret

s_mem:		.asciz "mem_upper="
s_cmdline:	.asciz "cmdline="
s_initrd:	.asciz "initrd="
s_bad:		.asciz "bad multiboot magic\n"

	/* In the file, so that the loader keeps the module clear of it. */
	.data
	.align 16
	.fill 4096, 1, 0
stack_top:
