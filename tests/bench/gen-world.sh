#!/bin/bash
# gen-world.sh N WORLD CATALOG: a sim world with one vSphere provider
# (vsphere-8.0.3) holding N powered-off VMs bench-vm-0001.. with one disk and
# one NIC each, and a tests_params catalog whose scenario "bench_scale" names
# all N of them (cold).  Powered off so the destination VMs are Halted and
# check-vms has no guest to reach: the scale runs measure API cost only.
set -euo pipefail

n=$1 world=$2 catalog=$3

{
	cat <<-'JSON'
	{
	  "cluster": {
	    "version": "4.18.9",
	    "mtvVersion": "2.9.3",
	    "nodes": [ { "name": "worker-0", "cpu": "32", "memory": "131072Mi" } ],
	    "storageClasses": [ { "name": "ocs-storagecluster-ceph-rbd", "provisioner": "openshift-storage.rbd.csi.ceph.com", "default": true } ]
	  },
	  "providers": [ {
	    "name": "vsphere-8.0.3", "type": "vsphere", "version": "8.0.3",
	    "url": "https://vcenter.sim.example/sdk",
	    "user": "administrator@vsphere.local", "password": "sim-vsphere-password",
	    "guest": { "linuxUser": "root", "linuxPassword": "sim-guest-linux" },
	    "datacenter": "Datacenter",
	    "networks": [ { "id": "network-1001", "name": "VM Network" } ],
	    "storages": [ { "id": "datastore-2001", "name": "bench-ds", "type": "NFS", "capacityGiB": 65536, "freeGiB": 32768 } ],
	    "hosts": [ { "id": "host-3001", "name": "esxi-01.sim.example", "ip": "10.10.0.11" } ],
	    "vms": [
	JSON
	for ((i = 1; i <= n; i++)); do
		sep=,
		[ "$i" -lt "$n" ] || sep=
		printf '      { "id": "vm-%d", "name": "bench-vm-%04d", "power": "off", "cpuSockets": 1, "cpuCores": 1, "memoryMB": 1024,\n' $((100000 + i)) "$i"
		printf '        "firmware": "bios", "guestOS": "rhel8_64Guest", "host": "host-3001",\n'
		printf '        "disks": [ { "storage": "datastore-2001", "file": "[bench-ds] bench-vm-%04d/disk.vmdk", "capacityGiB": 10, "controllerKey": 1000, "unitNumber": 0 } ],\n' "$i"
		printf '        "nics": [ { "mac": "00:50:56:%02x:%02x:%02x", "network": "network-1001" } ] }%s\n' \
			$((i >> 16 & 255)) $((i >> 8 & 255)) $((i & 255)) "$sep"
	done
	printf '    ]\n  } ]\n}\n'
} >"$world"

{
	printf '{\n  "bench_scale": {\n    "virtual_machines": [\n'
	for ((i = 1; i <= n; i++)); do
		sep=,
		[ "$i" -lt "$n" ] || sep=
		printf '      {"name": "bench-vm-%04d"}%s\n' "$i" "$sep"
	done
	printf '    ],\n    "warm_migration": false\n  }\n}\n'
} >"$catalog"
