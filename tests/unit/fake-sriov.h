/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An in-memory SR-IOV NIC behind vport_kernel_ops, modelled on igb/igbvf:
 * one PF with VFs, their netdevs and drivers, the PF's VF table with admin
 * MACs and the "administratively set" flag, and knobs for the faults real
 * drivers show. The state lives in shared memory, so a forked child that
 * "crashes" half-way leaves its changes for the parent to inspect. */
#pragma once

#include "kernel/kernel.h"

#define FAKE_MAX_VFS   8
#define FAKE_VF_DRIVER "igbvf"

typedef struct fake_vf {
        vport_pci_addr pci;
        vport_vf_info info;          /* the PF's table entry */
        bool admin_set;              /* the PF's "administratively set" flag */
        char driver[64];             /* "" = unbound */
        char netdev[VPORT_IFNAMSIZ]; /* "" = none */
        int ifindex;
        vport_mac mac; /* the netdev's MAC */
        unsigned mtu;
} fake_vf;

typedef struct fake_sriov {
        vport_pci_addr pf_pci;
        char pf_name[VPORT_IFNAMSIZ];
        int pf_ifindex;
        bool pf_up;
        fake_vf vfs[FAKE_MAX_VFS];
        int n_vfs;

        /* knobs */
        int mac_set_error;   /* link_set_mac on a VF netdev fails with this (0 = no) */
        bool silent_mac_set; /* with the admin flag set, link_set_mac "succeeds" on the netdev only
                              * (igbvf); otherwise it fails with -EPERM (ixgbevf) */
        bool records_vf_mac; /* a MAC the VF sets itself shows in the PF table (igb does) */
        int unbind_error;    /* pci_unbind fails with this */
        int bind_error;      /* pci_bind to bind_error_driver ("" = any) fails with this */
        char bind_error_driver[64];
        bool netdev_never_returns; /* binding the VF driver creates no netdev */
        bool bounce_random_mac;    /* the VF driver comes back with a random MAC, not the admin MAC */
        bool reject_zero_admin_mac;

        /* what the code under test did */
        unsigned n_vf_set, n_link_set_mac, n_link_set_up, n_unbind, n_bind;
        unsigned seq; /* for new netdev names, ifindexes and random MACs */
} fake_sriov;

/* The model (valid after fake_sriov_setup()). */
extern fake_sriov *fake;

/* Fresh model: PF "fakepf0" (0000:03:00.0, ifindex 10, up) with n_vfs VFs at
 * 0000:03:10.N bound to igbvf, netdevs "fakevfN" with random MACs, no admin
 * MAC, spoofchk on, trust off, MTU 1500. */
void fake_sriov_setup(int n_vfs);

extern const vport_kernel_ops fake_sriov_ops;
