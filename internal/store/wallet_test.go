package store

import (
	"errors"
	"sync"
	"testing"
	"time"
)

func TestWalletOffers(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			for _, tc := range []struct {
				name string
				run  func(t *testing.T, e *env)
			}{
				{"Redeem", testWalletRedeem},
				{"TxCodeAttempts", testWalletTxCode},
				{"ConcurrentRedeem", testWalletConcurrent},
				{"PurgeAndErase", testWalletPurge},
			} {
				t.Run(tc.name, func(t *testing.T) {
					e := &env{t: t, dsn: b.freshDSN(t)}
					e.s = e.open()
					tc.run(t, e)
				})
			}
		})
	}
}

func testWalletRedeem(t *testing.T, e *env) {
	o := WalletOffer{Subject: "subj-a", Award: ar("sp", "a1"), Expires: t0.Add(5 * time.Minute)}
	code, err := e.s.CreateWalletOffer(ctx, o)
	must(t, err)
	if len(code) < 40 {
		t.Fatalf("code %q: want a 256-bit random token", code)
	}
	if _, _, err := e.s.RedeemWalletOffer(ctx, code+"x", "", t0, t0.Add(time.Minute)); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown code: err %v, want ErrNotFound", err)
	}
	token, got, err := e.s.RedeemWalletOffer(ctx, code, "", t0.Add(time.Minute), t0.Add(2*time.Minute))
	must(t, err)
	if got.Subject != o.Subject || got.Award != o.Award {
		t.Errorf("redeemed %+v, want subject and award of %+v", got, o)
	}
	if _, _, err := e.s.RedeemWalletOffer(ctx, code, "", t0.Add(time.Minute), t0.Add(2*time.Minute)); !errors.Is(err, ErrNotFound) {
		t.Errorf("second redemption: err %v, want ErrNotFound", err)
	}
	// The token works from another process until it expires.
	if got, err := e.open().WalletToken(ctx, token, t0.Add(119*time.Second)); err != nil || got.Award != o.Award {
		t.Errorf("WalletToken before expiry: %+v, %v", got, err)
	}
	if _, err := e.s.WalletToken(ctx, token, t0.Add(2*time.Minute)); !errors.Is(err, ErrNotFound) {
		t.Errorf("expired token: err %v, want ErrNotFound", err)
	}
	if _, err := e.s.WalletToken(ctx, code, t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("code used as a token: err %v, want ErrNotFound", err)
	}
	// An expired offer cannot be redeemed.
	late, err := e.s.CreateWalletOffer(ctx, o)
	must(t, err)
	if _, _, err := e.s.RedeemWalletOffer(ctx, late, "", o.Expires, o.Expires.Add(time.Minute)); !errors.Is(err, ErrNotFound) {
		t.Errorf("expired offer: err %v, want ErrNotFound", err)
	}
	if _, err := e.s.CreateWalletOffer(ctx, WalletOffer{Award: ar("sp", "a1")}); !errors.Is(err, ErrInvalid) {
		t.Errorf("offer without subject: err %v, want ErrInvalid", err)
	}
}

func testWalletTxCode(t *testing.T, e *env) {
	o := WalletOffer{Subject: "subj-a", Award: ar("sp", "a1"), TxCode: "123456", Expires: t0.Add(5 * time.Minute)}
	code, err := e.s.CreateWalletOffer(ctx, o)
	must(t, err)
	for _, wrong := range []string{"", "654321"} {
		if _, _, err := e.s.RedeemWalletOffer(ctx, code, wrong, t0, t0.Add(time.Minute)); !errors.Is(err, ErrTxCode) {
			t.Errorf("tx code %q: err %v, want ErrTxCode", wrong, err)
		}
	}
	if _, _, err := e.s.RedeemWalletOffer(ctx, code, "123456", t0, t0.Add(time.Minute)); err != nil {
		t.Errorf("right tx code after %d wrong ones: %v", MaxTxCodeAttempts-1, err)
	}
	// MaxTxCodeAttempts wrong codes kill the offer, even for the right one.
	code, err = e.s.CreateWalletOffer(ctx, o)
	must(t, err)
	for i := 0; i < MaxTxCodeAttempts; i++ {
		if _, _, err := e.s.RedeemWalletOffer(ctx, code, "000000", t0, t0.Add(time.Minute)); !errors.Is(err, ErrTxCode) {
			t.Errorf("wrong tx code %d: err %v, want ErrTxCode", i+1, err)
		}
	}
	if _, _, err := e.s.RedeemWalletOffer(ctx, code, "123456", t0, t0.Add(time.Minute)); !errors.Is(err, ErrNotFound) {
		t.Errorf("right tx code on a dead offer: err %v, want ErrNotFound", err)
	}
}

func testWalletConcurrent(t *testing.T, e *env) {
	stores := []Store{e.s, e.open()}
	code, err := e.s.CreateWalletOffer(ctx, WalletOffer{Subject: "s", Award: ar("sp", "a"), Expires: t0.Add(time.Minute)})
	must(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(s Store) {
			defer wg.Done()
			_, _, err := s.RedeemWalletOffer(ctx, code, "", t0, t0.Add(time.Minute))
			switch {
			case err == nil:
				mu.Lock()
				won++
				mu.Unlock()
			case !errors.Is(err, ErrNotFound):
				t.Errorf("RedeemWalletOffer: %v", err)
			}
		}(stores[w%2])
	}
	wg.Wait()
	if won != 1 {
		t.Errorf("%d redemptions of one code succeeded, want 1", won)
	}
}

func testWalletPurge(t *testing.T, e *env) {
	a := WalletOffer{Subject: "subj-a", Award: ar("sp", "a1"), Expires: t0.Add(time.Minute)}
	code, err := e.s.CreateWalletOffer(ctx, a)
	must(t, err)
	token, _, err := e.s.RedeemWalletOffer(ctx, code, "", t0, t0.Add(10*time.Minute))
	must(t, err)
	_, err = e.s.CreateWalletOffer(ctx, a) // never redeemed
	must(t, err)
	n, err := e.s.PurgeWalletOffers(ctx, t0.Add(5*time.Minute))
	must(t, err)
	if n != 1 {
		t.Errorf("purge removed %d offers, want 1 (the redeemed one's token is still valid)", n)
	}
	if _, err := e.s.WalletToken(ctx, token, t0.Add(5*time.Minute)); err != nil {
		t.Errorf("token after purge: %v", err)
	}
	if _, err := e.s.EraseSubject(ctx, "subj-a"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.WalletToken(ctx, token, t0.Add(5*time.Minute)); !errors.Is(err, ErrNotFound) {
		t.Errorf("token after erasure: err %v, want ErrNotFound", err)
	}
}
