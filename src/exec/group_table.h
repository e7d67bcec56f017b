/*
 * group_table.h -- a hash table of distinct key tuples, numbering each
 * group 0, 1, 2... in order of first appearance. Used by aggregation
 * (groups), DISTINCT aggregates (group id + value) and set operations.
 *
 * Keys are stored column-wise in a Collection (group id = row), hashes in
 * a parallel array (for rehashing), and an open-addressing slot array maps
 * hash positions to the high 32 hash bits (a salt: a probe compares keys
 * only when it matches) and group id + 1 in the low 32. NULL keys compare
 * equal to each other (grouping semantics). The slot array is sized from
 * an estimate and doubles at 50% load; everything lives in one arena.
 */
#ifndef EMBER_GROUP_TABLE_H
#define EMBER_GROUP_TABLE_H

#include "exec/exec_int.h"

typedef struct GroupTable {
    Collection keys;
    uint64_t *hashes;         /* per group */
    uint64_t hash_cap;
    uint64_t *slots;          /* hash >> 32 << 32 | group id + 1; 0 empty */
    uint64_t cap;             /* power of two */
    uint64_t n_groups;
    Arena *arena;
    /* scratch for one chunk */
    uint64_t *row_hash;       /* per active row */
    SelIdx *new_rows;         /* rows that made new groups */
    uint32_t *new_src;        /* for pending groups: source row */
} GroupTable;

int gt_init(GroupTable *gt, int n_keys, const Type *types, Arena *a,
            MemCache *mc, uint64_t est_groups);
/*
 * Find or create the group of each active row (sel/n) of the key vectors.
 * gids[k] receives the group of the k-th active row; is_new[k] (if not
 * NULL) whether that row created it. New groups' keys are appended to the
 * table (strings copied unless stable).
 */
int gt_find_or_insert(GroupTable *gt, Vector **keys, const SelIdx *sel,
                      uint32_t n, uint32_t *gids, uint8_t *is_new);
/* Same, for the key rows of another table (merging): gids[r] for each row
 * r in [0, src->n_groups). */
int gt_merge_from(GroupTable *gt, const GroupTable *src, uint32_t *gids,
                  uint8_t *is_new);

#endif /* EMBER_GROUP_TABLE_H */
