/* uuid.h: random (version 4) UUIDs for ids born on a workstation. */
#ifndef HANDESK_UUID_H
#define HANDESK_UUID_H

/* A new random UUID in canonical lower-case form into out (37 bytes). */
void uuid_new(char out[37]);

#endif
