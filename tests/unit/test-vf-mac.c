/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vport_vf_resolve / vport_vf_set_mac / vport_pf_list_vfs over the fake SR-IOV
 * model: the direct path, every reason to fall back to the admin MAC and a
 * driver bounce, and every way that fallback can fail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "core/sriov.h"
#include "ctx-fixture.h"
#include "fake-sriov.h"

static const vport_mac want = { { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01 } };
#define WANT_S "52:54:00:aa:bb:01"

typedef struct fixture {
        char dir[TU_DIR_MAX];
        vport_ctx *ctx;
        vport_vf_ref vf;
} fixture;

static int setup(void **state) {
        fixture *f = calloc(1, sizeof(*f));
        vport_error err = { 0 };

        tu_state_dir_new(f->dir, "test-vf-mac");
        fake_sriov_setup(2);
        f->ctx = tu_ctx_open(f->dir, &fake_sriov_ops);
        assert_int_equal(vport_vf_resolve(f->ctx, "0000:03:10.0", NULL, &f->vf, &err), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        fixture *f = *state;

        vport_ctx_close(f->ctx);
        tu_state_dir_remove(f->dir);
        free(f);
        return 0;
}

/* VF 0 has had an admin MAC set before (e.g. by an earlier VFIO user). */
static void preset_admin_mac(void) {
        fake_vf *vf = &fake->vfs[0];

        vf->info.mac = (vport_mac){ { 0x52, 0x54, 0x00, 0x11, 0x11, 0x11 } };
        vf->admin_set = true;
        vf->mac = vf->info.mac;
}

static void assert_vf_has(const vport_mac *m) {
        assert_true(mac_equal(&fake->vfs[0].info.mac, m));
        assert_true(mac_equal(&fake->vfs[0].mac, m));
}

static int set_mac(fixture *f, vport_vf_mac_method *method, vport_error *err) {
        return vport_vf_set_mac(f->ctx, &f->vf, &want, method, err);
}

static void test_resolve(void **state) {
        fixture *f = *state;
        vport_vf_ref ref;
        vport_error err = { 0 };

        assert_int_equal(f->vf.index, 0);
        assert_string_equal(f->vf.pf_ifname, "fakepf0");
        assert_int_equal(f->vf.pf_ifindex, 10);
        assert_int_equal(vport_vf_resolve(f->ctx, fake->vfs[1].netdev, NULL, &ref, &err), 0);
        assert_int_equal(ref.index, 1);
        assert_int_equal(vport_vf_resolve(f->ctx, "fakepf0", "1", &ref, &err), 0);
        assert_true(pci_addr_equal(&ref.vf, &fake->vfs[1].pci));
        assert_int_equal(vport_vf_resolve(f->ctx, "fakepf0", "2", &ref, &err), -ENODEV);
        assert_non_null(strstr(err.message, "no VF 2"));
        assert_int_equal(vport_vf_resolve(f->ctx, "fakepf0", "x", &ref, &err), -EINVAL);
        /* The PF itself is a network device but not a VF. */
        assert_int_equal(vport_vf_resolve(f->ctx, "0000:03:00.0", NULL, &ref, &err), -EINVAL);
        assert_non_null(strstr(err.message, "not a network VF"));
        assert_int_equal(vport_vf_resolve(f->ctx, "nosuchdev", NULL, &ref, &err), -ENODEV);
}

static void test_direct(void **state) {
        fixture *f = *state;
        vport_vf_mac_method m;
        vport_error err = { 0 };
        char old_name[VPORT_IFNAMSIZ];

        fake->records_vf_mac = true;
        snprintf(old_name, sizeof(old_name), "%s", fake->vfs[0].netdev);
        assert_int_equal(set_mac(f, &m, &err), 0);
        assert_int_equal(m, VF_MAC_DIRECT);
        assert_vf_has(&want);
        assert_false(fake->vfs[0].admin_set);
        assert_int_equal(fake->n_unbind, 0);
        assert_string_equal(fake->vfs[0].netdev, old_name);
}

/* The netdev refuses (err): admin MAC + bounce, and the VF ends up right. */
static void check_fallback(fixture *f, int error) {
        vport_vf_mac_method m;
        vport_error err = { 0 };
        char old_name[VPORT_IFNAMSIZ];

        fake->mac_set_error = error;
        snprintf(old_name, sizeof(old_name), "%s", fake->vfs[0].netdev);
        assert_int_equal(set_mac(f, &m, &err), 0);
        assert_int_equal(m, VF_MAC_ADMIN_BOUNCE);
        assert_vf_has(&want);
        assert_true(fake->vfs[0].admin_set);
        assert_int_equal(fake->n_unbind, 1);
        assert_int_equal(fake->n_bind, 1);
        assert_string_equal(fake->vfs[0].driver, FAKE_VF_DRIVER);
        /* The netdev came back under another name: found by PCI address. */
        assert_string_not_equal(fake->vfs[0].netdev, old_name);
}

static void test_eperm(void **state) {
        check_fallback(*state, -EPERM);
}

static void test_eaddrnotavail(void **state) {
        check_fallback(*state, -EADDRNOTAVAIL);
}

static void test_other_error_not_masked(void **state) {
        vport_error err = { 0 };

        fake->mac_set_error = -EIO;
        assert_int_equal(set_mac(*state, NULL, &err), -EIO);
        assert_int_equal(fake->n_vf_set, 0);
        assert_non_null(strstr(err.message, "VF 0"));
}

/* igbvf: rc 0 and the netdev shows the MAC, but the PF still filters the old
 * admin MAC. Only the PF's read-back reveals it. */
static void test_silent_mismatch(void **state) {
        vport_vf_mac_method m;
        vport_error err = { 0 };

        preset_admin_mac();
        fake->silent_mac_set = true;
        assert_int_equal(set_mac(*state, &m, &err), 0);
        assert_int_equal(m, VF_MAC_ADMIN_BOUNCE);
        assert_int_equal(fake->n_link_set_mac, 1);
        assert_int_equal(fake->n_unbind, 1);
        assert_vf_has(&want);
}

static void test_unbind_ebusy(void **state) {
        vport_error err = { 0 };

        preset_admin_mac();
        fake->unbind_error = -EBUSY;
        assert_int_equal(set_mac(*state, NULL, &err), -EBUSY);
        assert_true(mac_equal(&fake->vfs[0].info.mac, &want)); /* admin MAC left set */
        assert_string_equal(fake->vfs[0].driver, FAKE_VF_DRIVER);
        assert_non_null(strstr(err.message, "left set"));
        assert_non_null(strstr(err.message, "unbinding"));
        assert_non_null(strstr(err.message, WANT_S));
}

static void test_netdev_never_returns(void **state) {
        vport_error err = { 0 };

        fake->mac_set_error = -EPERM;
        fake->netdev_never_returns = true;
        assert_int_equal(set_mac(*state, NULL, &err), -ETIMEDOUT);
        assert_non_null(strstr(err.message, "no netdev came back"));
        assert_non_null(strstr(err.message, "0000:03:10.0"));
        assert_true(mac_equal(&fake->vfs[0].info.mac, &want));
}

/* The emulated igb's limit: after the bounce the VF has a random MAC. */
static void test_bounce_random_mac(void **state) {
        char actual[VPORT_MAC_STRLEN];
        vport_error err = { 0 };

        fake->mac_set_error = -EPERM;
        fake->bounce_random_mac = true;
        assert_int_equal(set_mac(*state, NULL, &err), -EIO);
        mac_format(&fake->vfs[0].mac, actual);
        assert_false(mac_equal(&fake->vfs[0].mac, &want));
        assert_non_null(strstr(err.message, "PF fakepf0 VF 0"));
        assert_non_null(strstr(err.message, "driver " FAKE_VF_DRIVER));
        assert_non_null(strstr(err.message, "wanted MAC " WANT_S));
        assert_non_null(strstr(err.message, actual));
        assert_true(mac_equal(&fake->vfs[0].info.mac, &want)); /* admin MAC left set */
}

static void test_vfio_admin_only(void **state) {
        vport_vf_mac_method m;
        vport_error err = { 0 };

        snprintf(fake->vfs[0].driver, sizeof(fake->vfs[0].driver), "vfio-pci");
        fake->vfs[0].netdev[0] = '\0';
        assert_int_equal(set_mac(*state, &m, &err), 0);
        assert_int_equal(m, VF_MAC_ADMIN_ONLY);
        assert_true(mac_equal(&fake->vfs[0].info.mac, &want));
        assert_int_equal(fake->n_link_set_mac, 0);
        assert_int_equal(fake->n_unbind, 0);
}

/* A PF that is down is refused, not brought up behind the admin's back
 * (as libvirt: the admin took it down for a reason): the fake's link_set_up
 * would raise it and counts every call, so both checks below can fail. */
static void test_pf_down(void **state) {
        vport_mac before = fake->vfs[0].mac;
        vport_error err = { 0 };

        fake->pf_up = false;
        assert_int_equal(set_mac(*state, NULL, &err), -ENETDOWN);
        assert_non_null(strstr(err.message, "fakepf0 is down"));
        assert_int_equal(fake->n_vf_set + fake->n_link_set_mac + fake->n_unbind + fake->n_bind, 0);
        assert_int_equal(fake->n_link_set_up, 0);
        assert_true(mac_equal(&fake->vfs[0].mac, &before));
        assert_false(fake->pf_up);
        /* once the admin brings it up, the same call goes through */
        fake->pf_up = true;
        assert_int_equal(set_mac(*state, NULL, &err), 0);
        assert_true(mac_equal(&fake->vfs[0].mac, &want));
        assert_int_equal(fake->n_link_set_up, 0);
}

static const char *field(json_object *vf, const char *key) {
        json_object *v = NULL;

        if (!json_object_object_get_ex(vf, key, &v) || !v)
                return "null";
        return json_object_get_string(v);
}

static void test_list(void **state) {
        fixture *f = *state;
        vport_error err = { 0 };
        json_object *list = NULL, *vf0, *vf1;

        fake->vfs[1].info.vlan = 42;
        preset_admin_mac();
        assert_int_equal(tu_vf_list(f->ctx, "fakepf0", &list, &err), 0);
        assert_int_equal(json_object_array_length(list), 2);
        vf0 = json_object_array_get_idx(list, 0);
        vf1 = json_object_array_get_idx(list, 1);
        assert_string_equal(field(vf0, "pci"), "0000:03:10.0");
        assert_string_equal(field(vf0, "netdev"), fake->vfs[0].netdev);
        assert_string_equal(field(vf0, "driver"), FAKE_VF_DRIVER);
        assert_string_equal(field(vf0, "mac"), "52:54:00:11:11:11");
        assert_string_equal(field(vf1, "mac"), "null"); /* no admin MAC */
        assert_string_equal(field(vf1, "vf"), "1");
        assert_string_equal(field(vf1, "vlan"), "42");
        assert_string_equal(field(vf0, "spoofchk"), "true");
        assert_string_equal(field(vf0, "trust"), "false");
        assert_string_equal(field(vf0, "port"), "null");
        json_object_put(list);
        assert_int_equal(tu_vf_list(f->ctx, "nosuchpf", &list, &err), -ENODEV);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_resolve, setup, teardown),
                cmocka_unit_test_setup_teardown(test_direct, setup, teardown),
                cmocka_unit_test_setup_teardown(test_eperm, setup, teardown),
                cmocka_unit_test_setup_teardown(test_eaddrnotavail, setup, teardown),
                cmocka_unit_test_setup_teardown(test_other_error_not_masked, setup, teardown),
                cmocka_unit_test_setup_teardown(test_silent_mismatch, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unbind_ebusy, setup, teardown),
                cmocka_unit_test_setup_teardown(test_netdev_never_returns, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bounce_random_mac, setup, teardown),
                cmocka_unit_test_setup_teardown(test_vfio_admin_only, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pf_down, setup, teardown),
                cmocka_unit_test_setup_teardown(test_list, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
