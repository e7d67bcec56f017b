/*
 * profile_build.h -- the QueryProfile of a finished execution.
 */
#ifndef EMBER_PROFILE_BUILD_H
#define EMBER_PROFILE_BUILD_H

#include "exec/exec.h"
#include "obs/profile.h"

/* Build it in `a` (the statement's arena) from cx's counters, before
 * exec_release. Query totals the executor does not know (parse time,
 * allocations of planning, rows) are the caller's to fill. */
int exec_build_profile(ExecCtx *cx, const Plan *plan, const char *sql,
                       Arena *a, QueryProfile **out);

#endif /* EMBER_PROFILE_BUILD_H */
