// SPDX-License-Identifier: GPL-2.0
/*
 * Flat images for the loader: the file's bytes as they are, at --load
 * (default by mode, see loader.h), entered at --entry.
 */
#include "loader_int.h"

int plan_flat(struct loader *ld)
{
	const struct load_opts *o = ld->opts;
	struct load_result *res = ld->res;
	enum guest_mode mode = o->mode ? o->mode : MODE_PROTECTED;
	uint64_t load;

	if (mode != MODE_REAL && mode != MODE_PROTECTED && mode != MODE_LONG)
		return fail(ld, "unknown guest mode %d: use 16, 32 or 64",
			    mode);
	if (!ld->file_size)
		return fail(ld, "the image file is empty");
	if (o->has_load)
		load = o->load_addr;
	else if (mode == MODE_REAL)
		load = LOADER_FLAT_LOAD_REAL;
	else
		load = LOADER_FLAT_LOAD;
	if (!fits(load, ld->file_size, ld->ram_size))
		return fail(ld, "flat image of %zu bytes at 0x%llx does not fit in guest RAM (%s): give more memory or a lower --load",
			    ld->file_size, (unsigned long long)load,
			    size_str(ld->ram_size).s);

	ld->file_off = 0;
	ld->copy_len = ld->file_size;
	layout_reserve(&res->layout, LAYOUT_IMAGE, load, load + ld->file_size);
	res->mode = mode;
	res->entry = o->has_entry ? o->entry : load;
	return 0;
}
