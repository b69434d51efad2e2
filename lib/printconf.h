/*
 * nmigd -t -v: the effective config printed in its own syntax.
 */
#ifndef NMIG_PRINTCONF_H
#define NMIG_PRINTCONF_H

#include <stdio.h>

struct config;

/* Write the effective config as one file in its own syntax (nmigd -t -v):
 * the domains of the drop-ins inline and "include = none", so that the
 * output parses again, wherever it is saved, to the same config. */
void	config_print(const struct config *, FILE *);

#endif
