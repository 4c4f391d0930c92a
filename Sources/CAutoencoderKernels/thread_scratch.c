// See thread_scratch.h.

#include "thread_scratch.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct {
    void *pointer[AE_SCRATCH_SLOTS];
    size_t size[AE_SCRATCH_SLOTS];
} scratch_slots;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static _Thread_local scratch_slots *thread_slots;

static void scratch_free(void *pointer) {
    scratch_slots *slots = (scratch_slots *)pointer;
    if (!slots) return;
    for (int i = 0; i < AE_SCRATCH_SLOTS; i++) free(slots->pointer[i]);
    free(slots);
}

static void scratch_make_key(void) { pthread_key_create(&scratch_key, scratch_free); }

void *ae_thread_scratch(ae_scratch_slot slot, size_t bytes) {
    scratch_slots *slots = thread_slots;
    if (!slots) {
        pthread_once(&scratch_once, scratch_make_key);
        slots = (scratch_slots *)calloc(1, sizeof *slots);
        if (!slots) abort();
        pthread_setspecific(scratch_key, slots);   // so the destructor frees them at thread exit
        thread_slots = slots;
    }
    if (slots->size[slot] < bytes || !slots->pointer[slot]) {
        free(slots->pointer[slot]);
        void *memory = NULL;
        if (posix_memalign(&memory, 64, bytes > 0 ? bytes : 64) != 0) abort();
        slots->pointer[slot] = memory;
        slots->size[slot] = bytes;
    }
    return slots->pointer[slot];
}
