/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running part of a privmem test as an unprivileged user: hand
 * /dev/privmemN to a user (so that an unprivileged open can succeed) and
 * give it back to root, and drop a forked child's privileges for good.
 */
#ifndef _PRIVMEM_USER_H
#define _PRIVMEM_USER_H

#include <errno.h>
#include <grp.h>
#include <sys/types.h>
#include <unistd.h>
#include "privmem_lib.h"

#define PM_NOBODY	65534	/* nobody / nogroup */
#define PM_OTHER_UID	65533	/* another unprivileged user */

/* chown the device node to @uid (mode unchanged, 0600). */
static inline int pm_chown_dev(struct pm_binding *b, uid_t uid)
{
	return chown(b->devpath, uid, uid) ? -errno : 0;
}

/* In a child: become @uid with no supplementary groups and no caps. */
static inline int pm_drop_to(uid_t uid)
{
	if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
		return -errno;
	return geteuid() == uid && getegid() == uid ? 0 : -EPERM;
}

#endif /* _PRIVMEM_USER_H */
