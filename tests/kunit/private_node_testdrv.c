// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only owner of a private node, for the user-space tests of the mm core
 * (tests/user/private_node_test.c) until the privmem driver exists.
 *
 * debugfs: /sys/kernel/debug/private_node_testdrv/control
 *   "add NID START SIZE CAPS"  hot-add [START, START+SIZE), aligned inwards
 *                              to memory blocks, as a private node with the
 *                              PRIVATE_NODE_CAP_* mask CAPS;
 *   "remove"                   offline and remove it again (-EBUSY if its
 *                              folios cannot be migrated out).
 * The write() returns the errno of the operation. Reading the file shows
 * "NID START SIZE CAPS" of the current node, or "none".
 * Write faults on a write-protected node are refused (SIGBUS).
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/private_node.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

static DEFINE_MUTEX(testdrv_lock);
static struct dentry *testdrv_dir;

static struct testdrv_node {
	struct private_node np;
	int nid;
	u64 start;
	u64 size;
	bool added;
} testdrv;

static vm_fault_t testdrv_write_fault(struct vm_fault *vmf,
				      struct folio *folio, void *owner)
{
	folio_put(folio);	/* the callback owns the caller's reference */
	return VM_FAULT_SIGBUS;
}

static const struct private_node_ops testdrv_ops = {
	.write_fault = testdrv_write_fault,
};

static int testdrv_add(int nid, u64 start, u64 size, unsigned long caps)
{
	u64 bs = memory_block_size_bytes();
	u64 s = ALIGN(start, bs), e = ALIGN_DOWN(start + size, bs);
	int ret;

	if (testdrv.added)
		return -EBUSY;
	if (e <= s)
		return -EINVAL;
	memset(&testdrv, 0, sizeof(testdrv));
	testdrv.np.owner = &testdrv;
	testdrv.np.caps = caps;
	testdrv.np.ops = &testdrv_ops;
	ret = add_private_memory_driver_managed(nid, s, e - s,
						"System RAM (privmem-test)",
						MHP_NONE, MMOP_ONLINE_MOVABLE,
						&testdrv.np);
	if (ret)
		return ret;
	testdrv.nid = nid;
	testdrv.start = s;
	testdrv.size = e - s;
	testdrv.added = true;
	/* The owner's callbacks live here: no unload while the node does. */
	__module_get(THIS_MODULE);
	return 0;
}

static int testdrv_remove(void)
{
	int ret;

	if (!testdrv.added)
		return -ENOENT;
	ret = remove_private_memory_driver_managed(testdrv.nid, testdrv.start,
						   testdrv.size);
	if (!ret) {
		testdrv.added = false;
		module_put(THIS_MODULE);
	}
	return ret;
}

static ssize_t testdrv_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	unsigned long long start, size;
	unsigned long caps;
	char buf[128];
	int nid, ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';

	mutex_lock(&testdrv_lock);
	if (sscanf(buf, "add %d %llx %llx %lx", &nid, &start, &size,
		   &caps) == 4)
		ret = testdrv_add(nid, start, size, caps);
	else if (!strncmp(buf, "remove", 6))
		ret = testdrv_remove();
	else
		ret = -EINVAL;
	mutex_unlock(&testdrv_lock);
	return ret ? ret : len;
}

static int testdrv_show(struct seq_file *m, void *v)
{
	mutex_lock(&testdrv_lock);
	if (testdrv.added)
		seq_printf(m, "%d %#llx %#llx %#lx\n", testdrv.nid,
			   testdrv.start, testdrv.size, testdrv.np.caps);
	else
		seq_puts(m, "none\n");
	mutex_unlock(&testdrv_lock);
	return 0;
}

static int testdrv_open(struct inode *inode, struct file *file)
{
	return single_open(file, testdrv_show, NULL);
}

static const struct file_operations testdrv_fops = {
	.owner = THIS_MODULE,
	.open = testdrv_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = testdrv_write,
};

static int __init testdrv_init(void)
{
	testdrv_dir = debugfs_create_dir("private_node_testdrv", NULL);
	debugfs_create_file("control", 0600, testdrv_dir, NULL, &testdrv_fops);
	return 0;
}

static void __exit testdrv_exit(void)
{
	/* A node still added holds a module reference: none is left here. */
	debugfs_remove_recursive(testdrv_dir);
}

module_init(testdrv_init);
module_exit(testdrv_exit);

MODULE_DESCRIPTION("Test-only owner of a private memory node");
MODULE_LICENSE("GPL");
