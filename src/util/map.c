/*
 * map.c -- NameMap, a string-keyed open-addressing table.
 *
 * Linear probing over a power-of-two array of slots. A slot is empty when
 * its key is NULL. Each slot keeps the full hash of its key, which both
 * skips most string compares and lets the table grow without rehashing.
 *
 * Invariant (what makes lookups stop at the first empty slot): every key
 * sits in the probe run that starts at its home slot (hash & mask), with
 * no empty slot between home and where it sits. Deletion keeps this
 * without tombstones by shifting later members of the run back into the
 * hole, so the table never degrades however many insert/delete cycles it
 * sees. The load factor stays at most 70%.
 *
 * Keys are copied with mem_alloc and owned by the map. In a nocase map,
 * keys compare and hash with ASCII letters folded to lower case; the key
 * keeps the spelling of its first insertion.
 *
 * The map must not change while it is being iterated: a deletion may move
 * a key the iteration has not reached to a slot it has passed.
 */
#include "util/util.h"

#define MAP_MIN_CAP 16u

struct NameMapSlot {
    char *key;                 /* owned copy, NULL when the slot is empty */
    void *val;
    uint64_t hash;             /* hash of the (folded) key */
};

static unsigned char fold(unsigned char c, bool nocase)
{
    return nocase && c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Bytewise: keys are short names, and folding would need a copy to use
 * hash_bytes. */
static uint64_t key_hash(const char *key, bool nocase)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ fold(*p, nocase)) * 0x100000001b3ULL;
    return hash_u64(h);
}

static bool key_equal(const char *a, const char *b, bool nocase)
{
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;
    for (;; x++, y++) {
        if (fold(*x, nocase) != fold(*y, nocase))
            return false;
        if (*x == 0)
            return true;
    }
}

void namemap_init(NameMap *m, bool nocase)
{
    m->slots = NULL;
    m->cap = 0;
    m->count = 0;
    m->nocase = nocase;
}

void namemap_release(NameMap *m)
{
    for (uint32_t i = 0; i < m->cap; i++)
        mem_free(m->slots[i].key);
    mem_free(m->slots);
    namemap_init(m, m->nocase);
}

/* Index of the slot holding `key`, or of the empty slot ending its probe
 * run. The table must have at least one empty slot. */
static uint32_t find_slot(const NameMap *m, const char *key, uint64_t h)
{
    uint32_t mask = m->cap - 1;
    uint32_t i = (uint32_t)h & mask;
    while (m->slots[i].key != NULL) {
        if (m->slots[i].hash == h && key_equal(m->slots[i].key, key, m->nocase))
            return i;
        i = (i + 1) & mask;
    }
    return i;
}

void *namemap_get(const NameMap *m, const char *key)
{
    if (m->count == 0)
        return NULL;
    uint32_t i = find_slot(m, key, key_hash(key, m->nocase));
    return m->slots[i].key ? m->slots[i].val : NULL;
}

/* Move every entry into a fresh array of `cap` slots. */
static int resize(NameMap *m, uint32_t cap)
{
    struct NameMapSlot *slots = mem_calloc((size_t)cap * sizeof(*slots));
    if (slots == NULL)
        return EMBER_NOMEM;
    uint32_t mask = cap - 1;
    for (uint32_t i = 0; i < m->cap; i++) {
        if (m->slots[i].key == NULL)
            continue;
        uint32_t j = (uint32_t)m->slots[i].hash & mask;
        while (slots[j].key != NULL)
            j = (j + 1) & mask;
        slots[j] = m->slots[i];
    }
    mem_free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return EMBER_OK;
}

int namemap_put(NameMap *m, const char *key, void *val)
{
    uint64_t h = key_hash(key, m->nocase);
    uint32_t i = 0;
    if (m->cap > 0) {
        i = find_slot(m, key, h);
        if (m->slots[i].key != NULL) {
            m->slots[i].val = val;          /* replace: needs no memory */
            return EMBER_OK;
        }
    }
    /* A new key: grow first if it would pass 70% load, so that an empty
     * slot always ends every probe run. */
    if ((uint64_t)(m->count + 1) * 10 > (uint64_t)m->cap * 7) {
        if (m->cap >= (1u << 31))
            return EMBER_NOMEM;
        int rc = resize(m, m->cap ? m->cap * 2 : MAP_MIN_CAP);
        if (rc != EMBER_OK)
            return rc;
        i = find_slot(m, key, h);
    }
    char *copy = mem_strdup(key);
    if (copy == NULL)
        return EMBER_NOMEM;
    m->slots[i].key = copy;
    m->slots[i].val = val;
    m->slots[i].hash = h;
    m->count++;
    return EMBER_OK;
}

/* True when home slot `home` lies cyclically in (hole, j]: the entry at j
 * may then not move back to the hole. */
static bool home_between(uint32_t hole, uint32_t home, uint32_t j)
{
    if (hole <= j)
        return hole < home && home <= j;
    return hole < home || home <= j;
}

void *namemap_del(NameMap *m, const char *key)
{
    if (m->count == 0)
        return NULL;
    uint32_t mask = m->cap - 1;
    uint32_t hole = find_slot(m, key, key_hash(key, m->nocase));
    if (m->slots[hole].key == NULL)
        return NULL;
    void *old = m->slots[hole].val;
    mem_free(m->slots[hole].key);
    /* Backward shift: pull later run members whose home is not after the
     * hole into it, until the run ends. */
    for (uint32_t j = (hole + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
        uint32_t home = (uint32_t)m->slots[j].hash & mask;
        if (home_between(hole, home, j))
            continue;
        m->slots[hole] = m->slots[j];
        hole = j;
    }
    m->slots[hole].key = NULL;
    m->slots[hole].val = NULL;
    m->count--;
    return old;
}

bool namemap_next(const NameMap *m, uint32_t *pos, const char **key,
                  void **val)
{
    for (uint32_t i = *pos; i < m->cap; i++) {
        if (m->slots[i].key != NULL) {
            *key = m->slots[i].key;
            *val = m->slots[i].val;
            *pos = i + 1;
            return true;
        }
    }
    *pos = m->cap;
    return false;
}
