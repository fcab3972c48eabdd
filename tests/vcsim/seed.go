// Seeding vcsim from an mtv-sim world file (tests/sim/README.md, "The world
// file"): with -world FILE -provider NAME, the VMs of that world provider are
// created in the simulator through its own vim25 API, so the tests and
// mtv-sim's vcsim backend see them exactly as a vCenter would report them.
//
// What is created, and how world fields map to vim25:
//
//   - storages: a world storage whose name vcsim does not have becomes a
//     local datastore of that name on every host of DC0
//     (HostDatastoreSystem.CreateLocalDatastore over a fresh temporary
//     directory, removed at exit), as the VPX model makes LocalDS_0.  vcsim
//     gives local datastores a moref built from that path
//     ("/tmp/...@folder-5"), not "datastore-NN"; that is the simulator's
//     truth and stays so.
//   - networks: names vcsim already has ("VM Network", "DC0_DVPG0") are
//     used as they are.  Another name becomes a distributed port group on
//     the model's DVS0 (variant DvPortGroup, or an id starting "dvportgroup") or a
//     standard port group on the first host's vSwitch0 (AddPortGroup).
//     OpaqueNetwork is refused: vcsim cannot make one.
//   - VMs: CreateVM_Task in DC0's vm folder on cluster DC0_C0's resource
//     pool with name, guestId (world guestOS), numCPUs = cpuSockets x
//     cpuCores, numCoresPerSocket = cpuCores, memoryMB, firmware,
//     changeTrackingEnabled; one paravirtual SCSI controller holding the
//     disks (capacityGiB, thin, on the datastore named by the disk's
//     storage; vcsim names the files); one vmxnet3 NIC per world NIC with
//     its MAC (addressType manual) on its network.  Then PowerOnVM_Task for
//     power "on", and a ReconfigVM_Task with the extraConfig keys vcsim
//     turns into guest facts: SET.guest.ipAddress (the first NIC's first
//     IP) and, for guestTools, SET.guest.toolsRunningStatus.
//
// Everything goes through a govmomi client against this very server, so
// vcsim validates each spec as it would a client's.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"
)

var (
	seedWorldFile = flag.String("world", "", "seed the VMs of a world file's provider (with -provider)")
	seedProvider  = flag.String("provider", "", "the world provider to seed (its name)")
)

type worldIP struct {
	IP string `json:"ip"`
}

type worldNIC struct {
	MAC     string    `json:"mac"`
	Network string    `json:"network"`
	IPs     []worldIP `json:"ips"`
}

type worldDisk struct {
	Storage     string  `json:"storage"`
	CapacityGiB float64 `json:"capacityGiB"`
}

type worldVM struct {
	Name           string      `json:"name"`
	Power          string      `json:"power"`
	CPUSockets     int32       `json:"cpuSockets"`
	CPUCores       int32       `json:"cpuCores"`
	MemoryMB       int64       `json:"memoryMB"`
	Firmware       string      `json:"firmware"`
	GuestOS        string      `json:"guestOS"`
	GuestTools     bool        `json:"guestTools"`
	ChangeTracking bool        `json:"changeTracking"`
	Disks          []worldDisk `json:"disks"`
	NICs           []worldNIC  `json:"nics"`
}

type worldRef struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Variant string `json:"variant"`
}

type worldProvider struct {
	Name     string     `json:"name"`
	Type     string     `json:"type"`
	Networks []worldRef `json:"networks"`
	Storages []worldRef `json:"storages"`
	VMs      []worldVM  `json:"vms"`
}

type world struct {
	Providers []worldProvider `json:"providers"`
}

// seedFromFlags seeds the server as -world/-provider say; nothing without
// -world.  The temporary datastore directories it made are returned for
// removal at exit.
func seedFromFlags(sdk *url.URL) ([]string, error) {
	if *seedWorldFile == "" {
		if *seedProvider != "" {
			return nil, fmt.Errorf("-provider needs -world")
		}
		return nil, nil
	}
	raw, err := os.ReadFile(*seedWorldFile)
	if err != nil {
		return nil, err
	}
	var w world
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, fmt.Errorf("%s: %v", *seedWorldFile, err)
	}
	var prov *worldProvider
	for i := range w.Providers {
		if w.Providers[i].Name == *seedProvider {
			prov = &w.Providers[i]
		}
	}
	if prov == nil || prov.Type != "vsphere" {
		return nil, fmt.Errorf("%s: no vsphere provider named %q (-provider)", *seedWorldFile, *seedProvider)
	}
	ctx := context.Background()
	c, err := govmomi.NewClient(ctx, sdk, true)
	if err != nil {
		return nil, fmt.Errorf("login to seed: %v", err)
	}
	defer func() { _ = c.Logout(ctx) }()
	s := &seeder{ctx: ctx, c: c, finder: find.NewFinder(c.Client, false), prov: prov}
	if err := s.run(); err != nil {
		return s.dirs, err
	}
	return s.dirs, nil
}

type seeder struct {
	ctx    context.Context
	c      *govmomi.Client
	finder *find.Finder
	prov   *worldProvider
	dc     *object.Datacenter
	hosts  []*object.HostSystem
	dirs   []string
	ds     map[string]string // world storage id -> vcsim datastore name
	nets   map[string]types.BaseVirtualDeviceBackingInfo
}

func (s *seeder) run() error {
	var err error
	if s.dc, err = s.finder.Datacenter(s.ctx, "DC0"); err != nil {
		return err
	}
	s.finder.SetDatacenter(s.dc)
	if s.hosts, err = s.finder.HostSystemList(s.ctx, "*/*"); err != nil {
		return err
	}
	if err := s.storages(); err != nil {
		return err
	}
	if err := s.networks(); err != nil {
		return err
	}
	for i := range s.prov.VMs {
		if err := s.vm(&s.prov.VMs[i]); err != nil {
			return fmt.Errorf("VM %s: %v", s.prov.VMs[i].Name, err)
		}
	}
	return nil
}

func (s *seeder) storages() error {
	s.ds = map[string]string{}
	for _, st := range s.prov.Storages {
		s.ds[st.ID] = st.Name
		if _, err := s.finder.Datastore(s.ctx, st.Name); err == nil {
			continue
		}
		dir, err := os.MkdirTemp("", "vcsim-seed-"+st.Name+"-")
		if err != nil {
			return err
		}
		s.dirs = append(s.dirs, dir)
		for _, h := range s.hosts {
			dss, err := h.ConfigManager().DatastoreSystem(s.ctx)
			if err != nil {
				return err
			}
			if _, err := dss.CreateLocalDatastore(s.ctx, st.Name, dir); err != nil {
				return fmt.Errorf("datastore %s on %s: %v", st.Name, h.Name(), err)
			}
		}
	}
	return nil
}

func (s *seeder) networks() error {
	s.nets = map[string]types.BaseVirtualDeviceBackingInfo{}
	for _, n := range s.prov.Networks {
		if n.Variant == "OpaqueNetwork" {
			return fmt.Errorf("network %s: vcsim cannot create an OpaqueNetwork", n.Name)
		}
		ref, err := s.finder.Network(s.ctx, n.Name)
		if err != nil {
			dvpg := n.Variant == "DvPortGroup" || (n.Variant == "" && strings.HasPrefix(n.ID, "dvportgroup"))
			if dvpg {
				err = s.addDVPG(n.Name)
			} else {
				err = s.addPortGroup(n.Name)
			}
			if err != nil {
				return fmt.Errorf("network %s: %v", n.Name, err)
			}
			if ref, err = s.finder.Network(s.ctx, n.Name); err != nil {
				return fmt.Errorf("network %s: %v", n.Name, err)
			}
		}
		backing, err := ref.EthernetCardBackingInfo(s.ctx)
		if err != nil {
			return fmt.Errorf("network %s: %v", n.Name, err)
		}
		s.nets[n.ID] = backing
	}
	return nil
}

func (s *seeder) addDVPG(name string) error {
	// the VPX model's switch (DVS0), wherever it sits in the network folder
	refs, err := s.finder.NetworkList(s.ctx, "*")
	if err != nil {
		return err
	}
	var dvs *object.DistributedVirtualSwitch
	for _, r := range refs {
		if d, ok := r.(*object.DistributedVirtualSwitch); ok && dvs == nil {
			dvs = d
		}
	}
	if dvs == nil {
		return fmt.Errorf("no distributed virtual switch in DC0")
	}
	task, err := dvs.AddPortgroup(s.ctx, []types.DVPortgroupConfigSpec{{Name: name, Type: "earlyBinding", NumPorts: 16}})
	if err != nil {
		return err
	}
	return task.Wait(s.ctx)
}

func (s *seeder) addPortGroup(name string) error {
	ns, err := s.hosts[0].ConfigManager().NetworkSystem(s.ctx)
	if err != nil {
		return err
	}
	return ns.AddPortGroup(s.ctx, types.HostPortGroupSpec{Name: name, VswitchName: "vSwitch0",
		Policy: types.HostNetworkPolicy{}})
}

func (s *seeder) vm(w *worldVM) error {
	if w.CPUCores < 1 || w.CPUSockets < 1 {
		return fmt.Errorf("cpuSockets and cpuCores must be at least 1")
	}
	folders, err := s.dc.Folders(s.ctx)
	if err != nil {
		return err
	}
	cluster, err := s.finder.ClusterComputeResource(s.ctx, "DC0_C0")
	if err != nil {
		return err
	}
	pool, err := cluster.ResourcePool(s.ctx)
	if err != nil {
		return err
	}
	home := "LocalDS_0"
	if len(w.Disks) > 0 {
		home = s.ds[w.Disks[0].Storage]
	}
	spec := types.VirtualMachineConfigSpec{
		Name:                  w.Name,
		GuestId:               w.GuestOS,
		NumCPUs:               w.CPUSockets * w.CPUCores,
		NumCoresPerSocket:     w.CPUCores,
		MemoryMB:              w.MemoryMB,
		Firmware:              w.Firmware,
		ChangeTrackingEnabled: types.NewBool(w.ChangeTracking),
		Files:                 &types.VirtualMachineFileInfo{VmPathName: "[" + home + "]"},
	}
	devices := object.VirtualDeviceList{}
	scsi, err := devices.CreateSCSIController("pvscsi")
	if err != nil {
		return err
	}
	devices = append(devices, scsi)
	ctrl := scsi.(types.BaseVirtualController)
	for i, d := range w.Disks {
		name, ok := s.ds[d.Storage]
		if !ok {
			return fmt.Errorf("disk %d: no storage %q", i, d.Storage)
		}
		ds, err := s.finder.Datastore(s.ctx, name)
		if err != nil {
			return err
		}
		ref := ds.Reference()
		disk := &types.VirtualDisk{
			VirtualDevice: types.VirtualDevice{
				Backing: &types.VirtualDiskFlatVer2BackingInfo{
					VirtualDeviceFileBackingInfo: types.VirtualDeviceFileBackingInfo{
						FileName: "[" + name + "]", Datastore: &ref,
					},
					DiskMode:        string(types.VirtualDiskModePersistent),
					ThinProvisioned: types.NewBool(true),
				},
			},
			CapacityInKB: int64(d.CapacityGiB * 1024 * 1024),
		}
		devices.AssignController(disk, ctrl)
		devices = append(devices, disk)
	}
	for i, n := range w.NICs {
		backing, ok := s.nets[n.Network]
		if !ok {
			return fmt.Errorf("nic %d: no network %q", i, n.Network)
		}
		nic, err := object.EthernetCardTypes().CreateEthernetCard("vmxnet3", backing)
		if err != nil {
			return err
		}
		card := nic.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard()
		if n.MAC != "" {
			card.AddressType = string(types.VirtualEthernetCardMacTypeManual)
			card.MacAddress = n.MAC
		}
		devices = append(devices, nic)
	}
	if spec.DeviceChange, err = devices.ConfigSpec(types.VirtualDeviceConfigSpecOperationAdd); err != nil {
		return err
	}
	// disks get their files created, as a client's CreateVM would ask
	for _, dc := range spec.DeviceChange {
		if _, ok := dc.GetVirtualDeviceConfigSpec().Device.(*types.VirtualDisk); ok {
			dc.GetVirtualDeviceConfigSpec().FileOperation = types.VirtualDeviceConfigSpecFileOperationCreate
		}
	}
	task, err := folders.VmFolder.CreateVM(s.ctx, spec, pool, nil)
	if err != nil {
		return err
	}
	info, err := task.WaitForResult(s.ctx, nil)
	if err != nil {
		return err
	}
	vm := object.NewVirtualMachine(s.c.Client, info.Result.(types.ManagedObjectReference))
	if w.Power == "on" {
		task, err := vm.PowerOn(s.ctx)
		if err != nil {
			return err
		}
		if err := task.Wait(s.ctx); err != nil {
			return err
		}
	}
	var extra []types.BaseOptionValue
	if len(w.NICs) > 0 && len(w.NICs[0].IPs) > 0 {
		extra = append(extra, &types.OptionValue{Key: "SET.guest.ipAddress", Value: w.NICs[0].IPs[0].IP})
	}
	if w.GuestTools {
		extra = append(extra,
			&types.OptionValue{Key: "SET.guest.toolsRunningStatus", Value: string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)})
	}
	if len(extra) == 0 {
		return nil
	}
	task, err = vm.Reconfigure(s.ctx, types.VirtualMachineConfigSpec{ExtraConfig: extra})
	if err != nil {
		return err
	}
	return task.Wait(s.ctx)
}
