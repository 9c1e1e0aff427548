// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: mmap(MAP_PRIVATE) of /dev/privmemN.
 *
 * A mapping is anonymous memory bound to the private node: the VMA is
 * made anonymous (as /dev/zero does for MAP_PRIVATE) and gets an MPOL_BIND
 * policy for the node that carries the private gate
 * (vma_bind_private_node()). Faults therefore go through the kernel's
 * anonymous fault path: zeroed folios allocated on the node by the page
 * allocator through the gate, a THP where the VMA's alignment and size
 * allow it (privmem_get_unmapped_area() aligns mappings of 2M or more),
 * else 4K. The folios are ordinary anonymous LRU folios, so fork (copy on
 * write), mremap, partial munmap, exit, migration and freeing back to the
 * node's free pool all follow the anonymous memory rules.
 *
 * A private mapping (MAP_PRIVATE) must be at offset 0; MAP_SHARED maps
 * the open file's shared object instead (shared.c).
 *
 * Each mapping's VMA points at a "mapping file" (an anonymous inode of its
 * own, whose size covers any mapping: see privmem_mmap()) that
 * holds a reference on the device and counts in @nr_mappings until the
 * last VMA derived from the mapping (splits, forks, mremap) is gone: while
 * any exists, offline and unbind fail with -EBUSY (the removal of the dax
 * device itself cannot fail: it migrates the mapping's folios to DRAM,
 * see privmem_unplug()).
 *
 * On a compressed node the mapping is plain anonymous memory (in DRAM):
 * data only reaches the node by demotion or PRIVMEM_IOC_MIGRATE.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/huge_mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include "privmem.h"

/**
 * privmem_unmapped() - undo privmem_map_count()
 * @pm: the device of a mapping (or of a shared object's first mapping)
 *
 * Drops the device reference taken with the count.
 */
void privmem_unmapped(struct privmem_dev *pm)
{
	spin_lock(&pm->map_lock);
	pm->nr_mappings--;
	spin_unlock(&pm->map_lock);
	privmem_put(pm);
}

static int privmem_map_release(struct inode *inode, struct file *file)
{
	privmem_unmapped(file->private_data);
	return 0;
}

static const struct file_operations privmem_map_fops = {
	.owner = THIS_MODULE,
	.release = privmem_map_release,
	.llseek = noop_llseek,
};

/**
 * privmem_map_count() - count a new mapping, unless the memory is offline
 * @pm: the device
 *
 * Offline and unbind (privmem_unplug()) fail with -EBUSY while a mapping
 * is counted. Undo with privmem_unmapped(), which also drops the device
 * reference taken here.
 *
 * Return: 0; -ENXIO if the memory is offline or going offline; -ENODEV
 * once unbound.
 */
int privmem_map_count(struct privmem_dev *pm)
{
	int ret;

	spin_lock(&pm->map_lock);
	ret = privmem_state_errno(pm->state);
	if (!ret)
		pm->nr_mappings++;
	spin_unlock(&pm->map_lock);
	if (!ret)
		privmem_get(pm);
	return ret;
}

/**
 * privmem_mmap() - map anonymous memory bound to the node
 * @pf: the open file of /dev/privmemN being mapped
 * @vma: a private mapping at offset 0
 *
 * Return: 0; -EINVAL for a shared mapping or another offset;
 * privmem_map_count()'s errno while the node is not online; or the errno
 * of the mapping file or of the binding to the node.
 */
int privmem_mmap(struct privmem_file *pf, struct vm_area_struct *vma)
{
	struct privmem_dev *pm = pf->pm;
	struct file *mapfile;
	int ret;

	if (vma->vm_flags & (VM_SHARED | VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff)
		return -EINVAL;

	/* Count the mapping first: removal fails while there is one. */
	ret = privmem_map_count(pm);
	if (ret)
		return ret;

	/*
	 * A file of its own: anonymous memory has no size, but code that
	 * finds a vm_file may look at its inode's (userfaultfd's UFFDIO_COPY
	 * and UFFDIO_ZEROPAGE fail with -EFAULT past i_size), so the
	 * mapping file is as large as any mapping can be.
	 */
	mapfile = anon_inode_create_getfile("[privmem]", &privmem_map_fops, pm,
					    O_RDWR, NULL);
	if (IS_ERR(mapfile)) {
		privmem_unmapped(pm);
		return PTR_ERR(mapfile);
	}
	i_size_write(file_inode(mapfile), MAX_LFS_FILESIZE);
	/* From here on the mapping file's release undoes the count. */

	if (pm->set.type == PRIVMEM_TYPE_PLAIN) {
		ret = vma_bind_private_node(vma, pm->nid);
		if (ret) {
			fput(mapfile);
			return ret;
		}
	}
	vma_set_file(vma, mapfile);
	fput(mapfile);
	vma_set_anonymous(vma);
	return 0;
}

/**
 * privmem_get_unmapped_area() - the get_unmapped_area of /dev/privmemN
 * @file: the open file
 * @addr: hint
 * @len: length of the mapping
 * @pgoff: offset in pages
 * @flags: MAP_* flags
 *
 * Return: an address, THP-aligned when @len allows, or a negative errno.
 */
unsigned long privmem_get_unmapped_area(struct file *file, unsigned long addr,
					unsigned long len, unsigned long pgoff,
					unsigned long flags)
{
	/* THP-aligned when len allows, else as any mapping. */
	return thp_get_unmapped_area(file, addr, len, pgoff, flags);
}
