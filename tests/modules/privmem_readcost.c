// SPDX-License-Identifier: GPL-2.0
/*
 * privmem_readcost: a modelled read cost for a compressed node, for the
 * "cram-model" rows of scripts/guest/guest-bench-redis.sh.
 *
 * The emulated compressed device stores its pages uncompressed, so a read
 * of a page on the node costs what a DRAM read costs; a real device
 * decompresses on a miss. With NUMA balancing on for the node (its
 * numa_balancing setting and kernel.numa_balancing), every scan makes the
 * node's PTEs PROT_NONE and the next access to each page takes a NUMA
 * hinting fault (which, on a write-protected private node, restores the
 * read-only PTE and migrates nothing: patch 0014). This module makes that
 * fault pay for a decompression: when the faulting PTE (or PMD) is a
 * PROT_NONE entry of a folio on node @nid, it decompresses one 4 KiB page
 * with the kernel's lz4 @reps times and then spins ndelay(@ns).
 *
 * Why lz4 in the guest and not a fixed delay: under TCG every guest
 * instruction costs 10-50x its native time, and ndelay() spins on the
 * (host-speed) TSC, so a native-sized delay would be an emulated
 * nothing. A decompression executed in the guest costs what the rest of
 * the guest's work costs, scaled alike. Natively, lz4 decompresses a few
 * GB/s per core (about 1 us per 4 KiB), the order of what a hardware
 * decompressor in a compressed memory device is quoted at for a 4 KiB
 * block. The page decompressed is one of JSON-like text made at load
 * (the kind of data the benchmark stores), compressed once.
 *
 * The kernel this runs on has neither kprobes nor ftrace, so the hook is
 * the software perf event for page faults (one per-CPU kernel counter,
 * sample period 1): its overflow handler runs at the start of every page
 * fault, before the fault is handled, with the faulting address. The
 * handler walks the current task's page table locklessly, as GUP-fast
 * does (interrupts are off in the handler, which holds off the freeing
 * of page tables), and charges the cost only for a PROT_NONE entry whose
 * PFN is on @nid. A PROT_NONE entry in a VMA that is not itself PROT_NONE
 * is a NUMA hinting entry; an access to a PROT_NONE VMA would SIGSEGV the
 * task, which the benchmark's Redis never does.
 *
 * Counters (read-only parameters): hits (faults charged: PROT_NONE entries
 * on @nid), hint_faults (PROT_NONE entries on any node: all hinting
 * faults seen, for comparison with /proc/vmstat numa_hint_faults),
 * spent_ns (guest time spent in the charged cost, ktime).
 */
#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/lz4.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/perf_event.h>
#include <linux/percpu.h>
#include <linux/pgtable.h>
#include <linux/slab.h>

static int nid = NUMA_NO_NODE;
module_param(nid, int, 0644);
MODULE_PARM_DESC(nid, "node whose pages pay the read cost");

static unsigned int reps = 1;
module_param(reps, uint, 0644);
MODULE_PARM_DESC(reps, "lz4 decompressions of a 4 KiB page per charged fault");

static unsigned int ns;
module_param(ns, uint, 0644);
MODULE_PARM_DESC(ns, "ndelay() per charged fault, after the decompressions");

static atomic64_t hits, hint_faults, spent_ns;

static int counter_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(kp->arg));
}

static const struct kernel_param_ops counter_ops = {
	.get = counter_get,
};

module_param_cb(hits, &counter_ops, &hits, 0444);
MODULE_PARM_DESC(hits, "hinting faults charged (PROT_NONE entries on nid)");
module_param_cb(hint_faults, &counter_ops, &hint_faults, 0444);
MODULE_PARM_DESC(hint_faults, "faults on PROT_NONE entries on any node");
module_param_cb(spent_ns, &counter_ops, &spent_ns, 0444);
MODULE_PARM_DESC(spent_ns, "guest nanoseconds spent in the charged cost");

static char *sample;		/* the lz4-compressed sample page */
static int sample_len;
static DEFINE_PER_CPU(char *, scratch);
static DEFINE_PER_CPU(struct perf_event *, event);

/*
 * The PFN mapped PROT_NONE at @addr in @mm, or 0 if the entry is anything
 * else. Called with interrupts off: no page table can be freed under the
 * walk (as for GUP-fast); every level is read once.
 */
static unsigned long protnone_pfn(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgdp = pgd_offset(mm, addr), pgd = READ_ONCE(*pgdp);
	p4d_t *p4dp, p4d;
	pud_t *pudp, pud;
	pmd_t *pmdp, pmd;
	pte_t pte;

	if (pgd_none(pgd) || pgd_bad(pgd))
		return 0;
	p4dp = p4d_offset(&pgd, addr);
	p4d = READ_ONCE(*p4dp);
	if (p4d_none(p4d) || p4d_bad(p4d))
		return 0;
	pudp = pud_offset(&p4d, addr);
	pud = READ_ONCE(*pudp);
	if (pud_none(pud) || pud_leaf(pud) || pud_bad(pud))
		return 0;
	pmdp = pmd_offset(&pud, addr);
	pmd = pmdp_get_lockless(pmdp);
	if (pmd_none(pmd))
		return 0;
	if (pmd_leaf(pmd))
		return pmd_protnone(pmd) ?
			pmd_pfn(pmd) + ((addr & ~PMD_MASK) >> PAGE_SHIFT) : 0;
	if (pmd_bad(pmd))
		return 0;
	pte = ptep_get_lockless(pte_offset_kernel(&pmd, addr));
	return pte_protnone(pte) ? pte_pfn(pte) : 0;
}

static void readcost_fault(struct perf_event *event,
			   struct perf_sample_data *data, struct pt_regs *regs)
{
	struct mm_struct *mm = current->mm;
	unsigned long pfn, flags;
	unsigned int i;
	u64 t;

	if (!mm || !data->addr)
		return;
	local_irq_save(flags);
	pfn = protnone_pfn(mm, data->addr & PAGE_MASK);
	local_irq_restore(flags);
	if (!pfn || !pfn_valid(pfn))
		return;
	atomic64_inc(&hint_faults);
	if (page_to_nid(pfn_to_page(pfn)) != READ_ONCE(nid))
		return;
	atomic64_inc(&hits);
	t = ktime_get_ns();
	for (i = 0; i < READ_ONCE(reps); i++)
		LZ4_decompress_safe(sample, this_cpu_read(scratch), sample_len,
				    PAGE_SIZE);
	if (READ_ONCE(ns))
		ndelay(READ_ONCE(ns));
	atomic64_add(ktime_get_ns() - t, &spent_ns);
}

/* A page of JSON-like records, compressed: what the decompressions read. */
static int readcost_sample(void)
{
	static const char *const w[] = {
		"\"name\":\"", "alice", "bob", "\",\"city\":\"", "Lisbon",
		"Osaka", "\",\"score\":", "\"orders\":[{\"sku\":\"SKU-",
		"\"status\":\"delivered\"}", "memory", "cache", "page", " ",
	};
	char *page, *wrk;
	u32 seed = 1;
	size_t o = 0;
	int ret = 0;

	page = kmalloc(PAGE_SIZE, GFP_KERNEL);
	wrk = kmalloc(LZ4_MEM_COMPRESS, GFP_KERNEL);
	sample = kmalloc(LZ4_COMPRESSBOUND(PAGE_SIZE), GFP_KERNEL);
	if (!page || !wrk || !sample) {
		ret = -ENOMEM;
		goto out;
	}
	while (o < PAGE_SIZE) {
		const char *s = w[(seed >> 16) % ARRAY_SIZE(w)];

		seed = seed * 1103515245 + 12345;
		while (*s && o < PAGE_SIZE)
			page[o++] = *s++;
		if (o < PAGE_SIZE && !(seed & 7))
			page[o++] = '0' + (seed >> 8) % 10;
	}
	sample_len = LZ4_compress_default(page, sample, PAGE_SIZE,
					  LZ4_COMPRESSBOUND(PAGE_SIZE), wrk);
	if (sample_len <= 0)
		ret = -EINVAL;
out:
	kfree(page);
	kfree(wrk);
	return ret;
}

static void readcost_stop(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		if (per_cpu(event, cpu))
			perf_event_release_kernel(per_cpu(event, cpu));
		per_cpu(event, cpu) = NULL;
		kfree(per_cpu(scratch, cpu));
		per_cpu(scratch, cpu) = NULL;
	}
	kfree(sample);
	sample = NULL;
}

static int __init readcost_init(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_PAGE_FAULTS,
		.size = sizeof(attr),
		.sample_period = 1,
		.pinned = 1,
	};
	int cpu, ret;

	ret = readcost_sample();
	if (ret)
		goto err;
	for_each_possible_cpu(cpu) {
		per_cpu(scratch, cpu) = kmalloc_node(PAGE_SIZE, GFP_KERNEL,
						     cpu_to_node(cpu));
		if (!per_cpu(scratch, cpu)) {
			ret = -ENOMEM;
			goto err;
		}
	}
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct perf_event *e;

		e = perf_event_create_kernel_counter(&attr, cpu, NULL,
						     readcost_fault, NULL);
		if (IS_ERR(e)) {
			ret = PTR_ERR(e);
			cpus_read_unlock();
			goto err;
		}
		per_cpu(event, cpu) = e;
	}
	cpus_read_unlock();
	pr_info("privmem_readcost: node %d, %u lz4 decompression(s) of %d bytes + %u ns per hinting fault\n",
		nid, reps, sample_len, ns);
	return 0;
err:
	readcost_stop();
	return ret;
}

static void __exit readcost_exit(void)
{
	readcost_stop();
	pr_info("privmem_readcost: %lld hits, %lld hinting faults, %lld ns\n",
		atomic64_read(&hits), atomic64_read(&hint_faults),
		atomic64_read(&spent_ns));
}

module_init(readcost_init);
module_exit(readcost_exit);
MODULE_DESCRIPTION("privmem test: modelled read cost of a compressed node");
MODULE_LICENSE("GPL");
