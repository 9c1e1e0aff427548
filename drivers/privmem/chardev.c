// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: the character device /dev/privmemN (class "privmem", mode 0600)
 * and its file operations: open, release and poll here; mmap goes to
 * mmap.c (MAP_PRIVATE) or shared.c (MAP_SHARED), ioctl to ioctl.c.
 *
 * Each open file has a struct privmem_file (privmem.h) as its
 * private_data; the mmap and ioctl code gets it from here, never from the
 * file.
 */
#include <linux/cdev.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include "privmem.h"

#define PRIVMEM_MINORS	256

static dev_t privmem_devt;
static DEFINE_IDA(privmem_ida);

static char *privmem_devnode(const struct device *dev, umode_t *mode)
{
	if (mode)
		*mode = 0600;
	return NULL;
}

static const struct class privmem_class = {
	.name = "privmem",
	.devnode = privmem_devnode,
};

/**
 * privmem_enter() - start a call on the node, keeping removal out
 * @pm: the device
 *
 * Return: 0 with @pm->lock held for reading; -ENXIO if the memory is
 * offline or going offline; -ENODEV once the device is unbound.
 */
int privmem_enter(struct privmem_dev *pm)
{
	int ret;

	down_read(&pm->lock);
	ret = privmem_state_errno(pm->state);
	if (ret)
		up_read(&pm->lock);
	return ret;
}

void privmem_leave(struct privmem_dev *pm)
{
	up_read(&pm->lock);
}

static int privmem_open(struct inode *inode, struct file *file)
{
	struct privmem_dev *pm = container_of(inode->i_cdev,
					      struct privmem_dev, cdev);
	struct privmem_file *pf;
	int ret;

	pf = kzalloc(sizeof(*pf), GFP_KERNEL);
	if (!pf)
		return -ENOMEM;
	/* An offline device may be opened; its calls fail with -ENXIO. */
	down_read(&pm->lock);
	ret = pm->state == PRIVMEM_DEAD ? -ENODEV : 0;
	if (!ret)
		privmem_get(pm);
	up_read(&pm->lock);
	if (ret) {
		kfree(pf);
		return ret;
	}
	pf->pm = pm;
	pf->seen_events = privmem_events(pm);
	mutex_init(&pf->shared_lock);
	file->private_data = pf;
	return nonseekable_open(inode, file);
}

static int privmem_file_release(struct inode *inode, struct file *file)
{
	struct privmem_file *pf = file->private_data;

	privmem_shared_release(pf);
	privmem_put(pf->pm);
	kfree(pf);
	return 0;
}

static __poll_t privmem_poll(struct file *file, poll_table *wait)
{
	struct privmem_file *pf = file->private_data;
	struct privmem_dev *pm = pf->pm;
	__poll_t mask = 0;

	poll_wait(file, &pm->waitq, wait);
	if (READ_ONCE(pm->state) == PRIVMEM_DEAD)
		return EPOLLERR | EPOLLPRI;
	if (privmem_events(pm) != READ_ONCE(pf->seen_events))
		mask |= EPOLLPRI;
	return mask;
}

static int privmem_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct privmem_file *pf = file->private_data;

	if (vma->vm_flags & VM_MAYSHARE)
		return privmem_shared_mmap(pf, vma);
	return privmem_mmap(pf, vma);
}

static const struct file_operations privmem_fops = {
	.owner = THIS_MODULE,
	.open = privmem_open,
	.release = privmem_file_release,
	.poll = privmem_poll,
	.unlocked_ioctl = privmem_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = privmem_file_mmap,
	.get_unmapped_area = privmem_get_unmapped_area,
	.llseek = noop_llseek,
};

/* The last reference to the char device's struct device frees pm. */
static void privmem_dev_release(struct device *dev)
{
	struct privmem_dev *pm = container_of(dev, struct privmem_dev, dev);

	if (pm->id >= 0)
		ida_free(&privmem_ida, pm->id);
	privmem_orphan_put(pm);
	privmem_cram_destroy(pm);
	kfree(pm->ranges);
	kfree(pm->res_name);
	kfree(pm);
}

/**
 * privmem_dev_setup() - initialise pm's struct device, which owns pm
 * @pm: the new device
 *
 * After this, pm is freed by put_device(&pm->dev).
 */
void privmem_dev_setup(struct privmem_dev *pm)
{
	device_initialize(&pm->dev);
	pm->dev.class = &privmem_class;
	pm->dev.groups = privmem_dev_groups;
	pm->dev.release = privmem_dev_release;
}

/**
 * privmem_chardev_add() - create /dev/privmemN for a bound device
 * @pm: the device, set up with privmem_dev_setup()
 * @parent: the dax device
 *
 * Return: 0 or a negative errno.
 */
int privmem_chardev_add(struct privmem_dev *pm, struct device *parent)
{
	int ret;

	ret = ida_alloc_max(&privmem_ida, PRIVMEM_MINORS - 1, GFP_KERNEL);
	if (ret < 0)
		return ret;
	pm->id = ret;
	pm->dev.parent = parent;
	pm->dev.devt = MKDEV(MAJOR(privmem_devt), pm->id);
	ret = dev_set_name(&pm->dev, "privmem%d", pm->id);
	if (ret)
		return ret;
	cdev_init(&pm->cdev, &privmem_fops);
	pm->cdev.owner = THIS_MODULE;
	ret = cdev_device_add(&pm->cdev, &pm->dev);
	if (ret)
		return ret;
	pm->cdev_added = true;
	return 0;
}

void privmem_chardev_del(struct privmem_dev *pm)
{
	if (pm->cdev_added)
		cdev_device_del(&pm->cdev, &pm->dev);
	pm->cdev_added = false;
}

int privmem_chardev_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&privmem_devt, 0, PRIVMEM_MINORS, "privmem");
	if (ret)
		return ret;
	ret = class_register(&privmem_class);
	if (ret)
		unregister_chrdev_region(privmem_devt, PRIVMEM_MINORS);
	return ret;
}

void privmem_chardev_exit(void)
{
	class_unregister(&privmem_class);
	unregister_chrdev_region(privmem_devt, PRIVMEM_MINORS);
}
