// SPDX-License-Identifier: GPL-2.0
/*
 * privmem: mmap(MAP_SHARED) of /dev/privmemN, the shared object of an open
 * file.
 *
 * Each open file description gets, at its first shared mapping, a shared
 * object: a shmem file (shmem_kernel_file_setup(), as large as the node's
 * capacity, not accounted up front) whose pages come from the private
 * node. Every shared mapping made through that description (and the
 * copies fork makes, and mappings made by another process the descriptor
 * was passed to) maps the same object: offset X of any mapping is page X
 * of the object. The object lives while the description or any of its
 * mappings does; its pages go back to the node when the last is gone.
 * MADV_REMOVE (a hole punched in the shmem file) gives pages back early.
 *
 * Placement: each mapping installs the node owner's MPOL_BIND policy
 * (vma_bind_private_node(), which goes through shmem's set_policy) as the
 * shmem file's shared policy for the range it maps, so the pages shmem
 * allocates for it come from the node through the private gate. mbind()
 * on the mapping cannot change that: the VMA offers no set_policy, so a
 * new policy only lands on the VMA, which shmem does not consult.
 *
 * The VMA keeps shmem's fault, map_pages and get_policy, wrapped in
 * operations of our own whose open and close count the object's mappings
 * (@nr_vmas) and hold a reference on it: offline and unbind fail with
 * -EBUSY while any object is mapped or holds pages (in memory or swapped
 * out by MADV_PAGEOUT). Its set_policy fails, so mbind() cannot move the
 * object's pages; the mapping cannot grow (VM_DONTEXPAND), since only the
 * range mapped is bound. VM_DONTEXPAND, one of VM_SPECIAL, also keeps
 * khugepaged and MADV_COLLAPSE away: a collapse would allocate its THP
 * without the policy (on DRAM) and put it in the object. The
 * wrapper makes the VMA not look like shmem to the mm (vma_is_shmem() is
 * false): userfaultfd does not apply to it. move_pages(2) and a longterm
 * pin may still move pages off the node, as for any private folio.
 *
 * A compressed node refuses shared mappings (-EINVAL): its data arrives
 * only by demotion or MIGRATE, and only anonymous folios may live on it.
 *
 * Locking: @pf->shared_lock serialises the creation of the object of a
 * file; the list of objects, their @nr_vmas and the device's @nr_shared
 * are under @pm->map_lock, which also orders them against offline (see
 * privmem.h).
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mempolicy.h>
#include <linux/mm.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include "privmem.h"

/**
 * struct privmem_shared - the shared object of an open file
 * @ref: held by the file and by each mapping
 * @pm: the device, with a reference
 * @shm: the shmem file that holds the pages
 * @ops: shmem's operations for its mappings
 * @link: in @pm->shared
 * @nr_vmas: mappings of the object
 */
struct privmem_shared {
	struct kref ref;
	struct privmem_dev *pm;
	struct file *shm;
	const struct vm_operations_struct *ops;
	struct list_head link;
	int nr_vmas;
};

static void privmem_shared_free(struct kref *ref)
{
	struct privmem_shared *obj = container_of(ref, struct privmem_shared,
						  ref);
	struct privmem_dev *pm = obj->pm;

	spin_lock(&pm->map_lock);
	list_del(&obj->link);
	pm->nr_shared--;
	spin_unlock(&pm->map_lock);
	/* The last reference to the shmem file frees its pages. */
	fput(obj->shm);
	kfree(obj);
	privmem_put(pm);
	/* Its VMAs run our vm_ops, even after the device is gone. */
	module_put(THIS_MODULE);
}

static void privmem_shared_put(struct privmem_shared *obj)
{
	kref_put(&obj->ref, privmem_shared_free);
}

static void privmem_shared_vm_open(struct vm_area_struct *vma)
{
	struct privmem_shared *obj = vma->vm_private_data;

	kref_get(&obj->ref);
	spin_lock(&obj->pm->map_lock);
	obj->nr_vmas++;
	spin_unlock(&obj->pm->map_lock);
}

static void privmem_shared_vm_close(struct vm_area_struct *vma)
{
	struct privmem_shared *obj = vma->vm_private_data;

	spin_lock(&obj->pm->map_lock);
	obj->nr_vmas--;
	spin_unlock(&obj->pm->map_lock);
	privmem_shared_put(obj);
}

static vm_fault_t privmem_shared_fault(struct vm_fault *vmf)
{
	struct privmem_shared *obj = vmf->vma->vm_private_data;

	return obj->ops->fault(vmf);
}

static vm_fault_t privmem_shared_map_pages(struct vm_fault *vmf,
					   pgoff_t start, pgoff_t end)
{
	struct privmem_shared *obj = vmf->vma->vm_private_data;

	return obj->ops->map_pages(vmf, start, end);
}

#ifdef CONFIG_NUMA
/*
 * mbind() on the mapping fails: the object's pages go where its owner
 * bound them (with MPOL_MF_MOVE, mbind() would also migrate them away).
 */
static int privmem_shared_set_policy(struct vm_area_struct *vma,
				     struct mempolicy *pol)
{
	return -EINVAL;
}

/* The object's shared policy: NUMA balancing sees the binding. */
static struct mempolicy *privmem_shared_get_policy(struct vm_area_struct *vma,
						   unsigned long addr,
						   pgoff_t *ilx)
{
	struct privmem_shared *obj = vma->vm_private_data;

	return obj->ops->get_policy(vma, addr, ilx);
}
#endif

static const struct vm_operations_struct privmem_shared_vm_ops = {
	.open = privmem_shared_vm_open,
	.close = privmem_shared_vm_close,
	.fault = privmem_shared_fault,
	.map_pages = privmem_shared_map_pages,
#ifdef CONFIG_NUMA
	.set_policy = privmem_shared_set_policy,
	.get_policy = privmem_shared_get_policy,
#endif
};

/*
 * 0 if @pm takes shared mappings now: online and plain. A compressed node
 * refuses them (-EINVAL), an offline one -ENXIO, an unbound one -ENODEV.
 */
static int privmem_shared_state(struct privmem_dev *pm)
{
	int ret = privmem_state_errno(READ_ONCE(pm->state));

	if (ret)
		return ret;
	return pm->set.type == PRIVMEM_TYPE_PLAIN ? 0 : -EINVAL;
}

/* The file's object, made at its first shared mapping. */
static struct privmem_shared *privmem_shared_get(struct privmem_file *pf)
{
	struct privmem_dev *pm = pf->pm;
	struct privmem_shared *obj;
	struct file *shm;

	mutex_lock(&pf->shared_lock);
	obj = pf->shared;
	if (obj)
		goto out;
	obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	if (!obj) {
		obj = ERR_PTR(-ENOMEM);
		goto out;
	}
	shm = shmem_kernel_file_setup("privmem-shared", pm->capacity,
				      VM_NORESERVE);
	if (IS_ERR(shm)) {
		kfree(obj);
		obj = ERR_CAST(shm);
		goto out;
	}
	kref_init(&obj->ref);	/* the file's */
	obj->shm = shm;
	obj->pm = pm;
	privmem_get(pm);
	__module_get(THIS_MODULE);
	spin_lock(&pm->map_lock);
	list_add(&obj->link, &pm->shared);
	pm->nr_shared++;
	spin_unlock(&pm->map_lock);
	/* Published for privmem_shared_mapping(), which does not lock. */
	smp_store_release(&pf->shared, obj);
out:
	if (!IS_ERR(obj))
		kref_get(&obj->ref);	/* the caller's */
	mutex_unlock(&pf->shared_lock);
	return obj;
}

/*
 * Let shmem set up @vma, then bind its range of the shmem file to the
 * node: vma_bind_private_node() installs the binding through shmem's
 * set_policy as the shared policy of that range.
 */
static int privmem_shared_bind(struct privmem_shared *obj,
			       struct vm_area_struct *vma)
{
	int ret;

	ret = obj->shm->f_op->mmap(obj->shm, vma);
	if (ret)
		return ret;
	if (!obj->ops)
		obj->ops = vma->vm_ops;
	if (WARN_ON_ONCE(vma->vm_ops != obj->ops || !obj->ops->fault ||
			 !obj->ops->map_pages || !obj->ops->set_policy ||
			 !obj->ops->get_policy))
		return -EINVAL;
	return vma_bind_private_node(vma, obj->pm->nid);
}

/**
 * privmem_shared_mmap() - map the shared object of an open file
 * @pf: the open file of /dev/privmemN
 * @vma: the new mapping (MAP_SHARED)
 *
 * Return: 0; -EINVAL on a compressed node or past the node's capacity;
 * -ENXIO while the memory is offline; -ENODEV once unbound; -ENOMEM.
 */
int privmem_shared_mmap(struct privmem_file *pf, struct vm_area_struct *vma)
{
	struct privmem_dev *pm = pf->pm;
	struct privmem_shared *obj;
	u64 end;
	int ret;

	end = ((u64)vma->vm_pgoff + vma_pages(vma)) << PAGE_SHIFT;
	if (end > pm->capacity)
		return -EINVAL;
	/* Not worth an object while offline; checked again below. */
	ret = privmem_shared_state(pm);
	if (ret)
		return ret;

	obj = privmem_shared_get(pf);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	/*
	 * Count the mapping first: offline fails while there is one. The
	 * type cannot change while the node is online.
	 */
	spin_lock(&pm->map_lock);
	ret = privmem_shared_state(pm);
	if (!ret)
		obj->nr_vmas++;
	spin_unlock(&pm->map_lock);
	if (ret) {
		privmem_shared_put(obj);
		return ret;
	}

	/* shmem's set_policy finds the object through vm_file. */
	vma_set_file(vma, obj->shm);
	ret = privmem_shared_bind(obj, vma);
	if (ret) {
		spin_lock(&pm->map_lock);
		obj->nr_vmas--;
		spin_unlock(&pm->map_lock);
		privmem_shared_put(obj);
		return ret;
	}
	/*
	 * The mapping's reference and count are dropped by its close. It
	 * cannot grow (mremap): only the range mapped here is bound; and
	 * no THP collapse (VM_SPECIAL) puts a DRAM THP in the object.
	 */
	vm_flags_set(vma, VM_DONTEXPAND);
	vma->vm_private_data = obj;
	vma->vm_ops = &privmem_shared_vm_ops;
	return 0;
}

/* The open file goes: drop its reference on its object. */
void privmem_shared_release(struct privmem_file *pf)
{
	if (pf->shared)
		privmem_shared_put(pf->shared);
	pf->shared = NULL;
}

/**
 * privmem_shared_busy() - does a shared object keep the memory online?
 * @pm: the device, @pm->map_lock held
 *
 * Return: true if some object is mapped or holds pages.
 */
bool privmem_shared_busy(struct privmem_dev *pm)
{
	struct privmem_shared *obj;

	lockdep_assert_held(&pm->map_lock);
	list_for_each_entry(obj, &pm->shared, link) {
		struct inode *inode = file_inode(obj->shm);

		if (obj->nr_vmas || READ_ONCE(inode->i_mapping->nrpages) ||
		    READ_ONCE(SHMEM_I(inode)->swapped))
			return true;
	}
	return false;
}

/* The page cache of @pf's object, or NULL if it has none. */
struct address_space *privmem_shared_mapping(struct privmem_file *pf)
{
	/* Pairs with the release in privmem_shared_get(): obj is set up. */
	struct privmem_shared *obj = smp_load_acquire(&pf->shared);

	return obj ? obj->shm->f_mapping : NULL;
}
