// SPDX-License-Identifier: GPL-2.0
/*
 * Linked into every tun.ko (and vhost_net.ko) the testbed builds out of
 * tree (kernel/debian.sh, kernel/module.sh): names the variant and the hash
 * of its patches, so that whoever loaded a module can check which one it is.
 *
 *   /sys/module/tun/parameters/tb_variant      e.g. nodrop-v2
 *   /sys/module/tun/parameters/tb_patch_hash   e.g. 2f6c0d1e9a8b7c6d
 *   modinfo -F tb_variant tun.ko               the same, before loading
 *
 * The values are fixed when the module is built (TB_VARIANT and
 * TB_PATCH_HASH, set by the generated Kbuild file); setting them at load
 * time is refused, so the parameters cannot be made to lie.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

#ifndef TB_VARIANT
#error "TB_VARIANT must be defined by the Kbuild file"
#endif
#ifndef TB_PATCH_HASH
#error "TB_PATCH_HASH must be defined by the Kbuild file"
#endif

static int tb_ident_refuse(const char *val, const struct kernel_param *kp)
{
	return -EPERM;
}

static const struct kernel_param_ops tb_ident_ops = {
	.set = tb_ident_refuse,
	.get = param_get_charp,
};

static char *tb_variant = TB_VARIANT;
module_param_cb(tb_variant, &tb_ident_ops, &tb_variant, 0444);
MODULE_PARM_DESC(tb_variant, "testbed variant this module was built as (read-only)");

static char *tb_patch_hash = TB_PATCH_HASH;
module_param_cb(tb_patch_hash, &tb_ident_ops, &tb_patch_hash, 0444);
MODULE_PARM_DESC(tb_patch_hash, "sha256 of the variant's patches, 16 hex digits (read-only)");

MODULE_INFO(tb_variant, TB_VARIANT);
MODULE_INFO(tb_patch_hash, TB_PATCH_HASH);
