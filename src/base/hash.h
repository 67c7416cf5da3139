/* hash.h - stable 64-bit hashing (FNV-1a) for config ids and RNG seeds.
 *
 * Not cryptographic: it names configurations and derives seeds, where a
 * fixed, platform-independent value matters more than collision resistance.
 */
#ifndef STRATA_HASH_H
#define STRATA_HASH_H

#include <stddef.h>
#include <stdint.h>

#define ST_HASH_INIT 0xcbf29ce484222325ULL

uint64_t st_hash_bytes(uint64_t h, const void *data, size_t len);
uint64_t st_hash_str(uint64_t h, const char *s);
uint64_t st_hash_u64(uint64_t h, uint64_t v);
/* splitmix64 finaliser: spreads a hash over all 64 bits. */
uint64_t st_hash_mix(uint64_t x);
/* 16 lowercase hex digits plus NUL. */
void st_hash_hex(uint64_t h, char out[17]);

#endif
