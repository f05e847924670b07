package verify

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

func TestPublicAddr(t *testing.T) {
	for _, tt := range []struct {
		addr   string
		public bool
	}{
		{"93.184.215.14", true},
		{"2606:2800:21f:cb07:6820:80da:af6b:8b2c", true},
		{"127.0.0.1", false},
		{"127.1.2.3", false},
		{"::1", false},
		{"10.0.0.1", false},
		{"172.16.5.4", false},
		{"192.168.1.1", false},
		{"fc00::1", false},
		{"fd12:3456::1", false},
		{"169.254.169.254", false}, // cloud metadata
		{"fe80::1", false},
		{"0.0.0.0", false},
		{"::", false},
		{"0.1.2.3", false},
		{"224.0.0.1", false},
		{"ff02::1", false},
		{"255.255.255.255", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:10.1.1.1", false},
	} {
		if got := publicAddr(netip.MustParseAddr(tt.addr)); got != tt.public {
			t.Errorf("publicAddr(%s) = %v, want %v", tt.addr, got, tt.public)
		}
	}
}

func TestHTTPFetcherRefusesPrivateAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "{}") }))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	for _, tt := range []struct {
		name string
		f    HTTPFetcher
		url  string
	}{
		{"default client", HTTPFetcher{}, srv.URL},
		{"given client", HTTPFetcher{Client: srv.Client()}, srv.URL},
		{"name resolving to loopback", HTTPFetcher{}, "http://localhost:" + port + "/"},
		{"IPv6 loopback", HTTPFetcher{}, "http://[::1]:" + port + "/"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := tt.f.Fetch(context.Background(), tt.url)
			if err == nil || !strings.Contains(err.Error(), "non-public address") {
				t.Fatalf("err = %v, want a refusal", err)
			}
		})
	}
	if _, _, err := (HTTPFetcher{AllowPrivate: true}).Fetch(context.Background(), srv.URL); err != nil {
		t.Fatalf("AllowPrivate: %v", err)
	}
}

func TestHTTPFetcherLimits(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/r/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.PathValue("n"))
		if n == 0 {
			fmt.Fprint(w, "{}")
			return
		}
		http.Redirect(w, r, "/r/"+strconv.Itoa(n-1), http.StatusFound)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, MaxBodySize+1))
	})
	mux.HandleFunc("/max", func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, MaxBodySize))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, tt := range []struct {
		path, errHas string
	}{
		{"/r/5", ""},
		{"/r/6", "stopped after 5 redirects"},
		{"/max", ""},
		{"/big", "larger than 8 MiB"},
	} {
		for _, f := range []HTTPFetcher{{AllowPrivate: true}, {Client: srv.Client(), AllowPrivate: true}} {
			_, _, err := f.Fetch(context.Background(), srv.URL+tt.path)
			if (tt.errHas == "" && err != nil) || (tt.errHas != "" && (err == nil || !strings.Contains(err.Error(), tt.errHas))) {
				t.Errorf("%s (client %v): err = %v, want %q", tt.path, f.Client != nil, err, tt.errHas)
			}
		}
	}
}
