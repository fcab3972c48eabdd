// vcsim for the tests: VMware's own vim25 simulator (govmomi's simulator
// package, from Debian's golang-github-vmware-govmomi-dev) with its default
// vCenter inventory (simulator.VPX: DC0, cluster DC0_C0, host DC0_H0, VMs
// DC0_H0_VM0/1, DC0_C0_RP0_VM0/1, datastore LocalDS_0).
//
//	vcsim [-l 127.0.0.1:0] [-url-file F] [-username U] [-method-delay M=MS,...]
//
// The password is read from VCSIM_PASSWORD (default "pass") so it is not on
// the command line for everyone to see in ps.  Once listening, the SDK URL
// (http://127.0.0.1:PORT/sdk, no credentials) is written to F atomically, so
// a test can wait for the file and learn the random port.  SIGTERM or SIGINT
// stop the server.  -method-delay holds each call of method M for MS
// milliseconds before vcsim serves it (govmomi's DelayConfig), so a test can
// interrupt a client in the middle of, say, CloneVM_Task.
package main

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/vmware/govmomi/simulator"
)

func main() {
	listen := flag.String("l", "127.0.0.1:0", "address to listen on (port 0: a free one)")
	urlFile := flag.String("url-file", "", "write the SDK URL here once listening")
	user := flag.String("username", "user", "the only user name Login accepts")
	delays := flag.String("method-delay", "", "METHOD=MS,...: hold each call of METHOD for MS milliseconds")
	flag.Parse()
	pass := os.Getenv("VCSIM_PASSWORD")
	if pass == "" {
		pass = "pass"
	}

	model := simulator.VPX()
	if *delays != "" {
		model.DelayConfig.MethodDelay = map[string]int{}
		for _, d := range strings.Split(*delays, ",") {
			kv := strings.SplitN(d, "=", 2)
			ms, err := strconv.Atoi(kv[len(kv)-1])
			if len(kv) != 2 || err != nil {
				fmt.Fprintln(os.Stderr, "vcsim: -method-delay: want METHOD=MS, got", d)
				os.Exit(2)
			}
			model.DelayConfig.MethodDelay[kv[0]] = ms
		}
	}
	if err := model.Create(); err != nil {
		fmt.Fprintln(os.Stderr, "vcsim:", err)
		os.Exit(3)
	}
	// A Listen user other than simulator.DefaultLogin makes Login check
	// the name and password (instead of accepting any non-empty pair).
	model.Service.Listen = &url.URL{Host: *listen, User: url.UserPassword(*user, pass)}
	server := model.Service.NewServer()

	u := *server.URL
	u.User = nil
	if *urlFile != "" {
		tmp := *urlFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(u.String()+"\n"), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "vcsim:", err)
			os.Exit(3)
		}
		if err := os.Rename(tmp, *urlFile); err != nil {
			fmt.Fprintln(os.Stderr, "vcsim:", err)
			os.Exit(3)
		}
	} else {
		fmt.Println(u.String())
	}

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	server.Close()
	model.Remove()
}
