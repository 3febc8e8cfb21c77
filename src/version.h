/*
 * version.h - wimgraft's own version, for --version and the records it leaves in an image:
 * the Makefile's VERSION, or this fallback when built without it.
 */
#ifndef WIMGRAFT_VERSION_H
#define WIMGRAFT_VERSION_H

#ifndef WIMGRAFT_VERSION
#define WIMGRAFT_VERSION "0.1.0"
#endif

#endif
