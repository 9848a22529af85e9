/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* input-bench [N]: what the unit tests no longer time, as ratios against a
 * baseline measured in the same run (timings are not tests):
 *  - a <network> with N <interface> entries (default 160000) through
 *    network_def_parse_string(), against libxml2 parsing the same bytes
 *    alone: the duplicate check must not dominate (it was quadratic: 25 s);
 *  - every refused file of tests/unit/corpus (entity bombs, huge names,
 *    encoding lies), each against libxml2 parsing the same bytes alone:
 *    a refusal must not expand anything or check anything slowly;
 *  - pci_wait_netdev() on a fake sysfs tree with nothing appearing: the
 *    time it waited against the timeout asked for (>= 1.0, close to it).
 * Needs no root and changes nothing outside a temporary directory. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "conf/network.h"
#include "conf/networkport.h"
#include "conf/xml-util.h"
#include "kernel/kernel.h"

static double now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

static void die(const char *what) {
        fprintf(stderr, "input-bench: %s\n", what);
        exit(1);
}

/* libxml2 alone, with the options vport uses: the floor for any parse.
 * Sets *ret_ok to whether it produced a document. */
static double bare_parse_ms(const char *xml, size_t len, bool *ret_ok) {
        xml_capture cap;
        double t0, t;
        xmlDocPtr doc;

        xml_capture_begin(&cap); /* libxml2 prints some errors otherwise */
        t0 = now_ms();
        doc = xmlReadMemory(xml, (int) len, NULL, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        t = now_ms() - t0;
        xml_capture_end(&cap);
        *ret_ok = doc != NULL;
        xmlFreeDoc(doc);
        return t;
}

static void many_interfaces(size_t n) {
        vport_network_def *def = NULL;
        vport_error err = { 0 };
        char *xml = malloc(n * 40 + 200);
        size_t len;
        double bare, ours, t0;

        if (!xml)
                die("out of memory");
        len = (size_t) sprintf(xml, "<network><name>big</name><forward mode='bridge'>");
        for (size_t i = 0; i < n; i++)
                len += (size_t) sprintf(xml + len, "<interface dev='e%zu'/>", i);
        len += (size_t) sprintf(xml + len, "</forward></network>");
        bool ok;

        bare = bare_parse_ms(xml, len, &ok);
        if (!ok)
                die("libxml2 refused the generated network");
        t0 = now_ms();
        if (network_def_parse_string(xml, len, &def, &err) < 0)
                die(err.message);
        ours = now_ms() - t0;
        printf("network with %zu <interface>: vport %.1f ms, libxml2 alone %.1f ms: %.2fx\n", n, ours, bare,
               ours / bare);
        network_def_free(def);
        free(xml);
}

static char *slurp(int dirfd, const char *name, size_t *ret_len) {
        int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
        struct stat st;
        char *buf;
        ssize_t n;

        if (fd < 0 || fstat(fd, &st) < 0 || !(buf = malloc((size_t) st.st_size + 1)))
                die("reading the corpus");
        n = read(fd, buf, (size_t) st.st_size);
        close(fd);
        if (n < 0)
                die("reading the corpus");
        buf[n] = '\0';
        *ret_len = (size_t) n;
        return buf;
}

static double refuse_ms(const char *name, const char *buf, size_t len) {
        vport_network_def *net = NULL;
        vport_port_def *port = NULL;
        vport_error err = { 0 };
        double t0 = now_ms();

        if (strncmp(name, "network-", 8) == 0 && network_def_parse_string(buf, len, &net, &err) >= 0)
                fprintf(stderr, "input-bench: %s was accepted\n", name);
        if (strncmp(name, "port-", 5) == 0 && port_def_parse_string(buf, len, &port, &err) >= 0)
                fprintf(stderr, "input-bench: %s was accepted\n", name);
        network_def_free(net);
        port_def_free(port);
        return now_ms() - t0;
}

/* Each refusal against libxml2 parsing the same bytes alone (a tiny file
 * is timed 100 times): vport's own checks must not make any input slow. */
static void corpus(const char *dir) {
        char slowest[256] = "";
        double worst = 0, worst_ms = 0;
        struct dirent *de;
        unsigned n = 0;
        DIR *d = opendir(dir);

        if (!d)
                die("cannot open the corpus directory");
        while ((de = readdir(d))) {
                double ours = 0, bare = 0;
                size_t len;
                char *buf;
                bool ok;

                if (strncmp(de->d_name, "network-", 8) != 0 && strncmp(de->d_name, "port-", 5) != 0)
                        continue;
                buf = slurp(dirfd(d), de->d_name, &len);
                for (int i = 0; i < 100; i++) {
                        ours += refuse_ms(de->d_name, buf, len);
                        bare += bare_parse_ms(buf, len, &ok);
                }
                free(buf);
                n++;
                if (bare > 0 && ours / bare > worst) {
                        worst = ours / bare;
                        worst_ms = ours / 100;
                        snprintf(slowest, sizeof(slowest), "%s", de->d_name);
                }
        }
        closedir(d);
        printf("corpus: %u refusals; the slowest against libxml2 alone on the same bytes: %s, %.3f ms, "
               "%.2fx\n",
               n, slowest, worst_ms, worst);
}

static void wait_netdev(void) {
        char root[] = "/tmp/input-bench-XXXXXX", cmd[256];
        vport_pci_addr addr = { 0, 6, 0x10, 4 };
        vport_kernel *k = NULL;
        vport_error err = { 0 };
        char *name = NULL;
        const int want = 150;
        double t0, waited;

        if (!mkdtemp(root))
                die("mkdtemp");
        snprintf(cmd, sizeof(cmd), "mkdir -p %s/bus/pci/devices/0000:06:10.4", root);
        if (system(cmd) != 0)
                die("making the fake sysfs tree");
        setenv("VPORT_SYSFS_ROOT", root, 1);
        if (kernel_open(&k, &err) < 0)
                die(err.message);
        t0 = now_ms();
        (void) vport_kernel_ops_real.pci_wait_netdev(k, &addr, want, &name, &err);
        waited = now_ms() - t0;
        printf("pci_wait_netdev, nothing appearing: waited %.1f ms for a %d ms timeout: %.2fx\n", waited,
               want, waited / want);
        kernel_close(k);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        (void) system(cmd);
}

int main(int argc, char **argv) {
        size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 160000;

        many_interfaces(n);
        corpus(VPORT_BENCH_CORPUS);
        wait_netdev();
        return 0;
}
