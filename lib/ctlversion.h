/*
 * The control protocol's version, shared by nmigd and nmigd-ctl: every
 * reply carries it as "version", the status document included (which
 * nmigd --once --json prints too).  Bump it if any reply changes.
 */
#ifndef NMIG_CTLVERSION_H
#define NMIG_CTLVERSION_H

#define CTL_PROTOCOL_VERSION	1

/* The version as text, for replies written without jansson. */
#define CTL_VERSION_STR		CTL_STR(CTL_PROTOCOL_VERSION)
#define CTL_STR(x)		CTL_STR_(x)
#define CTL_STR_(x)		#x

#endif
