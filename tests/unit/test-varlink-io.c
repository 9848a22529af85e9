/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The shared varlink socket code (src/varlink/varlink-io.c): what a listen
 * finds at its path, one blocking call against a server in a child
 * process, and a buffer's own message limit. */
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/macro.h"
#include "varlink-io.h"

/* The client's limit on a wait for the reply: only a safety net for a child
 * that hangs (a bug), never reached on a loaded machine; meson's timeout
 * (120 s) is above it. */
#define SAFETY_NET_MS 60000

static char dir[] = "/tmp/test-varlink-io.XXXXXX";
static char path[sizeof(dir) + 16];

static int setup(void **state) {
        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/s/sock", dir); /* the parent directory is made */
        return 0;
}

static int teardown(void **state) {
        char cmd[sizeof(dir) + 16];

        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        return system(cmd) == 0 ? 0 : -1;
}

/* A live socket is refused, a dead one replaced, a file that is not a socket
 * left alone; the socket is 0600. */
static void test_listen_path(void **state) {
        vport_error e = { 0 };
        struct stat st;
        int fd, fd2 = -1;
        FILE *f;

        assert_int_equal(vl_listen(path, &fd, &e), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        assert_int_equal(vl_listen(path, &fd2, &e), -EADDRINUSE);
        assert_non_null(strstr(e.message, path));
        close(fd);
        assert_int_equal(vl_listen(path, &fd, &e), 0); /* left by a "killed" server */
        close(fd);
        unlink(path);
        f = fopen(path, "w");
        assert_non_null(f);
        fclose(f);
        assert_int_equal(vl_listen(path, &fd2, &e), -EEXIST);
        assert_int_equal(stat(path, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        unlink(path);
}

/* Waits, with no limit, until fd has events: the parent's connect or its
 * bytes come when the scheduler lets them, and a parent that dies first
 * kills the child (PR_SET_PDEATHSIG), so nothing waits forever. */
static void child_wait(int fd, short events) {
        struct pollfd pfd = { .fd = fd, .events = events };

        while (poll(&pfd, 1, -1) < 0)
                if (errno != EINTR)
                        _exit(1);
}

/* The child: accept one client, answer its one call with the method's name,
 * or with what the test asks for. The listening socket is non-blocking (a
 * server's event loop accepts when it polls readable), and the child may run
 * before the parent has connected: it waits for the connection, as a server
 * does, instead of taking an EAGAIN for a failure. */
static void serve_one(int lfd, pid_t parent, const char *answer) {
        vl_inbuf in = { 0 };
        vl_call call = { 0 };
        const char *msg, *why;
        char *out = NULL;
        size_t len, out_len = 0;
        int fd;
        ssize_t k;

        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                _exit(1);
        child_wait(lfd, POLLIN);
        fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        while (fd >= 0 && vl_inbuf_next(&in, &msg, &len) == 0)
                if ((k = vl_inbuf_recv(&in, fd, 7)) == -EAGAIN)
                        child_wait(fd, POLLIN);
                else if (k <= 0)
                        _exit(1);
        if (fd < 0 || vl_call_parse(msg, len, &call, &why) < 0)
                _exit(1);
        if (streq(answer, "close"))
                _exit(0);
        if (streq(answer, "big")) {
                char *big = calloc(1, 70000);
                memset(big, 'x', 69999);
                out = big, out_len = 70000;
        } else {
                json_object *p = json_object_new_object();
                json_object_object_add(p, "method", json_object_new_string(call.method));
                json_object_object_add(p, "got", json_object_get(call.parameters));
                (void) vl_reply_append(&out, &out_len, p, false);
        }
        /* "big" against a limit: the client stops reading and closes, the
         * send fails with EPIPE (MSG_NOSIGNAL), which the parent ignores. */
        _exit(vl_send_all(fd, out, out_len, -1) < 0);
}

static int call_child(const char *answer, size_t max, json_object **ret, vport_error *e) {
        json_object *params = json_object_new_object();
        pid_t parent = getpid(), pid;
        int lfd, status, r;

        assert_int_equal(vl_listen(path, &lfd, e), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
                serve_one(lfd, parent, answer);
        close(lfd);
        json_object_object_add(params, "a", json_object_new_string("b/c"));
        r = vl_call_sync(path, "the test server", "io.test.Echo", params, max, SAFETY_NET_MS, ret, e);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        unlink(path);
        return r;
}

static void test_call(void **state) {
        vport_error e = { 0 };
        json_object *reply = NULL, *p, *v;

        assert_int_equal(call_child("echo", 0, &reply, &e), 0);
        assert_true(json_object_object_get_ex(reply, "parameters", &p));
        assert_true(json_object_object_get_ex(p, "method", &v));
        assert_string_equal(json_object_get_string(v), "io.test.Echo");
        assert_string_equal(
                json_object_to_json_string_ext(json_object_object_get(p, "got"),
                                               JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
                "{\"a\":\"b/c\"}");
        json_object_put(reply);
}

/* What goes wrong is said naming the peer and the path. */
static void test_call_failures(void **state) {
        vport_error e = { 0 };
        json_object *reply = NULL;

        assert_int_equal(call_child("close", 0, &reply, &e), -ECONNRESET);
        assert_non_null(strstr(e.message, "the test server at "));
        assert_non_null(strstr(e.message, "closed the connection before replying"));
        assert_int_equal(call_child("big", 65536, &reply, &e), -EMSGSIZE);
        assert_non_null(strstr(e.message, "larger than 65536 bytes"));
        assert_int_equal(call_child("big", 0, &reply, &e), -EBADMSG);
        assert_null(reply);
        assert_int_equal(
                vl_call_sync(path, "the test server", "io.test.Echo", NULL, 0, SAFETY_NET_MS, &reply, &e),
                -ENOENT);
        assert_non_null(strstr(e.message, "connecting to the test server at "));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_listen_path),
                cmocka_unit_test(test_call),
                cmocka_unit_test(test_call_failures),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
