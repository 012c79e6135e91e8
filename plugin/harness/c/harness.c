/*
 * harness loads out_siem.so the way Fluent Bit's Go proxy does and drives
 * it from a script, so that `make test` exercises the real shared object:
 * registration, several instances with their own keys, flushes from two
 * threads at once, and exit.
 *
 * Script lines (one per line, fields separated by a single space):
 *   instance                  start a new [OUTPUT] section
 *   key NAME VALUE            a key of the section being defined
 *   flush I T TAG FILE        instance I flushes the msgpack chunk in FILE
 *                             with TAG, on thread T (0 or 1)
 * Output: "register NAME TYPE PROXY", "init I CODE", then
 * "flush N CODE" for the N-th flush line, "exit I CODE", "exit CODE".
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The structures Fluent Bit hands a Go plugin (fluent-bit-go's headers). */
struct flb_plugin_proxy_def {
    int type;
    int proxy;
    int flags;
    char *name;
    char *description;
};

struct flb_api {
    char *(*output_get_property)(char *, void *);
    char *_;
};

struct flb_plugin_proxy_context {
    void *remote_context;
};

struct flbgo_output_plugin {
    void *_;
    struct flb_api *api;
    void *o_ins;
    struct flb_plugin_proxy_context *context;
};

#define MAX_KEYS 64
#define MAX_INSTANCES 8
#define MAX_FLUSHES 4096

struct instance {
    int nkeys;
    char *keys[MAX_KEYS];
    char *values[MAX_KEYS];
    struct flb_plugin_proxy_context ctx;
    struct flbgo_output_plugin plugin;
};

struct flush {
    int instance, thread;
    char *tag;
    char *data;
    long len;
    int code;
};

static struct instance instances[MAX_INSTANCES];
static int ninstances;
static struct flush flushes[MAX_FLUSHES];
static int nflushes;

static int (*plugin_register)(void *);
static int (*plugin_init)(void *);
static int (*plugin_flush_ctx)(void *, void *, int, char *);
static int (*plugin_exit_ctx)(void *);
static int (*plugin_exit)(void);

/* Fluent Bit's property lookup: keys compare without regard to case. */
static char *get_property(char *key, void *o_ins)
{
    struct instance *in = o_ins;
    for (int i = 0; i < in->nkeys; i++) {
        if (strcasecmp(in->keys[i], key) == 0) {
            return in->values[i];
        }
    }
    return NULL;
}

static struct flb_api api = { get_property, NULL };

static char *read_file(const char *path, long *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    *len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(*len > 0 ? *len : 1);
    if (fread(buf, 1, *len, f) != (size_t) *len) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

static void *run_thread(void *arg)
{
    int thread = *(int *) arg;
    for (int i = 0; i < nflushes; i++) {
        struct flush *fl = &flushes[i];
        if (fl->thread != thread) {
            continue;
        }
        struct instance *in = &instances[fl->instance];
        /* Fluent Bit frees the chunk after the call: so do we. */
        char *copy = malloc(fl->len > 0 ? fl->len : 1);
        memcpy(copy, fl->data, fl->len);
        fl->code = plugin_flush_ctx(in->ctx.remote_context, copy, (int) fl->len, fl->tag);
        memset(copy, 0xAA, fl->len);
        free(copy);
    }
    return NULL;
}

static void *need(void *lib, const char *sym)
{
    void *p = dlsym(lib, sym);
    if (!p) {
        fprintf(stderr, "harness: %s is not exported: %s\n", sym, dlerror());
        exit(2);
    }
    return p;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: harness out_siem.so SCRIPT\n");
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "harness: %s\n", dlerror());
        return 2;
    }
    plugin_register = need(lib, "FLBPluginRegister");
    plugin_init = need(lib, "FLBPluginInit");
    plugin_flush_ctx = need(lib, "FLBPluginFlushCtx");
    plugin_exit_ctx = need(lib, "FLBPluginExitCtx");
    plugin_exit = need(lib, "FLBPluginExit");

    FILE *script = fopen(argv[2], "r");
    if (!script) {
        perror("harness: script");
        return 2;
    }
    char line[8192];
    while (fgets(line, sizeof line, script)) {
        line[strcspn(line, "\n")] = 0;
        if (strcmp(line, "instance") == 0) {
            if (ninstances == MAX_INSTANCES) {
                return 2;
            }
            ninstances++;
        } else if (strncmp(line, "key ", 4) == 0) {
            struct instance *in = &instances[ninstances - 1];
            char *name = line + 4;
            char *sp = strchr(name, ' ');
            if (!sp || in->nkeys == MAX_KEYS) {
                return 2;
            }
            *sp = 0;
            in->keys[in->nkeys] = strdup(name);
            in->values[in->nkeys] = strdup(sp + 1);
            in->nkeys++;
        } else if (strncmp(line, "flush ", 6) == 0) {
            struct flush *fl = &flushes[nflushes];
            char tag[1024], file[4096];
            if (nflushes == MAX_FLUSHES ||
                sscanf(line + 6, "%d %d %1023s %4095s", &fl->instance, &fl->thread, tag, file) != 4) {
                fprintf(stderr, "harness: bad line %s\n", line);
                return 2;
            }
            fl->tag = strdup(tag);
            fl->data = read_file(file, &fl->len);
            if (!fl->data) {
                perror(file);
                return 2;
            }
            nflushes++;
        }
    }
    fclose(script);

    struct flb_plugin_proxy_def def;
    memset(&def, 0, sizeof def);
    printf("register %d ", plugin_register(&def));
    printf("%s %d %d\n", def.name, def.type, def.proxy);

    for (int i = 0; i < ninstances; i++) {
        struct instance *in = &instances[i];
        in->plugin.api = &api;
        in->plugin.o_ins = in;
        in->plugin.context = &in->ctx;
        printf("init %d %d\n", i, plugin_init(&in->plugin));
        fflush(stdout);
    }

    pthread_t threads[2];
    int ids[2] = { 0, 1 };
    for (int t = 0; t < 2; t++) {
        pthread_create(&threads[t], NULL, run_thread, &ids[t]);
    }
    for (int t = 0; t < 2; t++) {
        pthread_join(threads[t], NULL);
    }
    for (int i = 0; i < nflushes; i++) {
        printf("flush %d %d\n", i, flushes[i].code);
    }
    for (int i = 0; i < ninstances; i++) {
        printf("exit %d %d\n", i, plugin_exit_ctx(instances[i].ctx.remote_context));
    }
    printf("exit %d\n", plugin_exit());
    return 0;
}
