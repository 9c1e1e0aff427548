// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 15, point 4: memmap_on_memory. A dax device's memmap_on_memory
 * attribute asks hot-add to put the range's struct pages on the device
 * itself. The mm writes struct pages constantly (reference counts, flags,
 * LRU links), so on a compressed device each of those writes would be a
 * write in place: privmem refuses to bring a compressed node online with
 * the attribute set (EINVAL, and the driver says why), while a plain node may
 * have it, as dax/kmem allows (its struct pages then live on the node).
 *
 * Needs memory_hotplug.memmap_on_memory=1 on the kernel command line
 * (scripts/host/run-guest.sh passes it); the attribute is put back to 0.
 */
#define _GNU_SOURCE
#include "kselftest_harness.h"
#include "privmem_lib.h"

#define MEMMAP_ATTR	PM_DAX_DIR "/memmap_on_memory"

FIXTURE(mm) {
	struct pm_binding b;
	int fd;
};

FIXTURE_SETUP(mm)
{
	self->fd = -1;
	if (!access(PM_DRV "/" PM_DAX, F_OK)) {
		ASSERT_EQ(0, pm_write_str(PM_DRV "/unbind", PM_DAX));
		pm_write_str(PM_DRV "/remove_id", PM_DAX);
	}
	ASSERT_EQ(0, pm_write_str(MEMMAP_ATTR, "1")) {
		TH_LOG("memory_hotplug.memmap_on_memory=1 missing from the kernel command line?");
	}
}

FIXTURE_TEARDOWN(mm)
{
	if (self->fd >= 0)
		close(self->fd);
	if (!access(PM_DRV "/" PM_DAX, F_OK)) {
		pm_write_str(PM_DRV "/unbind", PM_DAX);
		pm_write_str(PM_DRV "/remove_id", PM_DAX);
	}
	if (pm_write_str(MEMMAP_ATTR, "0"))
		TH_LOG("could not reset %s", MEMMAP_ATTR);
}

TEST_F(mm, compressed_refuses)
{
	ASSERT_EQ(0, pm_bind_offline(&self->b));
	ASSERT_EQ(0, pm_set(&self->b, "type", "compressed"));
	EXPECT_EQ(-EINVAL, pm_online(&self->b));
	EXPECT_EQ(0, system("dmesg | grep -q 'compressed node cannot have memmap_on_memory'"));
	/* Nothing half-done: the device is offline and still usable. */
	EXPECT_EQ(0, pm_node_listed("has_private_memory", self->b.nid));
	ASSERT_EQ(0, pm_set(&self->b, "type", "plain"));
	ASSERT_EQ(0, pm_online(&self->b));
	ASSERT_EQ(0, pm_unbind(&self->b));
	/* As the driver says: unbind, clear the attribute, bind again. */
	pm_write_str(PM_DRV "/remove_id", PM_DAX);
	ASSERT_EQ(0, pm_write_str(MEMMAP_ATTR, "0"));
	self->fd = pm_bind_open(&self->b, "compressed");
	EXPECT_LE(0, self->fd);
}

TEST_F(mm, plain_accepts)
{
	char *p;

	self->fd = pm_bind_open(&self->b, "plain");
	ASSERT_LE(0, self->fd);
	p = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd,
		 0);
	ASSERT_NE(MAP_FAILED, p);
	pm_fill(p, 4 << 20, 7);
	EXPECT_EQ((long)((4 << 20) / PM_PAGE),
		  pm_count_on_node(p, (4 << 20) / PM_PAGE, self->b.nid));
	munmap(p, 4 << 20);
}

int main(int argc, char **argv)
{
	if (pm_rebind_restore_at_exit())
		return 1;
	return test_harness_run(argc, argv);
}
