/* ICU, loaded the first time libxml2 asks for it.
 *
 * Debian's libxml2 converts a document's encoding with glibc's iconv and,
 * only for a name iconv does not know (encoding.c, openIcuConverter()),
 * with ICU's converters. Linked into a program, the ICU libraries and the
 * libstdc++ they need cost ~0.7 ms of every start (the dynamic loader's
 * symbol lookups and libstdc++'s initialisation: bench/README.md), for a
 * path almost no document takes. The programs linked with -Dstatic_deps
 * (the CLI, vport-cni) link this file instead of ICU: it defines the seven
 * ICU functions libxml2's archive calls, under ICU's own (versioned) names
 * from <unicode/ucnv.h>, and each opens the real libicuuc on its first
 * call and calls through. A document in an encoding only ICU knows
 * (encoding="ibm-1208") is read exactly as with ICU linked; if libicuuc
 * cannot be opened, ucnv_open() fails and libxml2 reports the encoding as
 * unsupported, as a libxml2 built without ICU would. meson.build links this
 * only if libxml2's archive needs no other ICU symbol. */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <unicode/ucnv.h>
#include <unicode/ucnv_err.h>
#include <unicode/uvernum.h>

#define STR_(x) #x
#define STR(x)  STR_(x) /* expands ICU's renaming: ucnv_open -> "ucnv_open_72" */

static struct {
        UConverter *(*open)(const char *, UErrorCode *);
        void (*close)(UConverter *);
        void (*convert_ex)(UConverter *, UConverter *, char **, const char *, const char **, const char *,
                           UChar *, UChar **, UChar **, const UChar *, UBool, UBool, UErrorCode *);
        void (*set_to_u)(UConverter *, UConverterToUCallback, const void *, UConverterToUCallback *,
                         const void **, UErrorCode *);
        void (*set_from_u)(UConverter *, UConverterFromUCallback, const void *, UConverterFromUCallback *,
                           const void **, UErrorCode *);
        UConverterToUCallback to_u_stop;
        UConverterFromUCallback from_u_stop;
} icu;
static pthread_once_t icu_once = PTHREAD_ONCE_INIT;

static void icu_load(void) {
        void *h = dlopen("libicuuc.so." STR(U_ICU_VERSION_MAJOR_NUM), RTLD_NOW | RTLD_LOCAL);

        if (!h)
                return;
        /* All or nothing: a converter is opened only if every call it needs resolved. */
        *(void **) &icu.close = dlsym(h, STR(ucnv_close));
        *(void **) &icu.convert_ex = dlsym(h, STR(ucnv_convertEx));
        *(void **) &icu.set_to_u = dlsym(h, STR(ucnv_setToUCallBack));
        *(void **) &icu.set_from_u = dlsym(h, STR(ucnv_setFromUCallBack));
        *(void **) &icu.to_u_stop = dlsym(h, STR(UCNV_TO_U_CALLBACK_STOP));
        *(void **) &icu.from_u_stop = dlsym(h, STR(UCNV_FROM_U_CALLBACK_STOP));
        if (icu.close && icu.convert_ex && icu.set_to_u && icu.set_from_u && icu.to_u_stop &&
            icu.from_u_stop)
                *(void **) &icu.open = dlsym(h, STR(ucnv_open));
}

/* The only way in: every other call takes a converter this returned. */
UConverter *ucnv_open(const char *name, UErrorCode *err) {
        if (U_FAILURE(*err))
                return NULL;
        (void) pthread_once(&icu_once, icu_load);
        if (!icu.open) {
                *err = U_MISSING_RESOURCE_ERROR;
                return NULL;
        }
        return icu.open(name, err);
}

void ucnv_close(UConverter *cnv) {
        if (cnv)
                icu.close(cnv);
}

void ucnv_convertEx(UConverter *target_cnv, UConverter *source_cnv, char **target, const char *target_limit,
                    const char **source, const char *source_limit, UChar *pivot_start, UChar **pivot_source,
                    UChar **pivot_target, const UChar *pivot_limit, UBool reset, UBool flush,
                    UErrorCode *err) {
        icu.convert_ex(target_cnv, source_cnv, target, target_limit, source, source_limit, pivot_start,
                       pivot_source, pivot_target, pivot_limit, reset, flush, err);
}

/* libxml2 passes the STOP callbacks below by address: ICU is handed its own. */
void ucnv_setToUCallBack(UConverter *cnv, UConverterToUCallback fn, const void *ctx,
                         UConverterToUCallback *old_fn, const void **old_ctx, UErrorCode *err) {
        icu.set_to_u(cnv, fn == UCNV_TO_U_CALLBACK_STOP ? icu.to_u_stop : fn, ctx, old_fn, old_ctx, err);
}

void ucnv_setFromUCallBack(UConverter *cnv, UConverterFromUCallback fn, const void *ctx,
                           UConverterFromUCallback *old_fn, const void **old_ctx, UErrorCode *err) {
        icu.set_from_u(cnv, fn == UCNV_FROM_U_CALLBACK_STOP ? icu.from_u_stop : fn, ctx, old_fn, old_ctx,
                       err);
}

void UCNV_TO_U_CALLBACK_STOP(const void *ctx, UConverterToUnicodeArgs *args, const char *units, int32_t len,
                             UConverterCallbackReason reason, UErrorCode *err) {
        icu.to_u_stop(ctx, args, units, len, reason, err);
}

void UCNV_FROM_U_CALLBACK_STOP(const void *ctx, UConverterFromUnicodeArgs *args, const UChar *units,
                               int32_t len, UChar32 cp, UConverterCallbackReason reason, UErrorCode *err) {
        icu.from_u_stop(ctx, args, units, len, cp, reason, err);
}
