/*
 * Random numbers for what an off-path attacker must not guess: query IDs
 * and source ports.
 */
#ifndef NMIG_RANDOM_H
#define NMIG_RANDOM_H

#include <stdint.h>

/* Uniform in [0, 2^32). */
uint32_t	random_u32(void);
/* Uniform in [0, upper); 0 when upper is 0 or 1. */
uint32_t	random_uniform(uint32_t upper);

#endif
