package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/francebadge/blason/internal/build"
	"github.com/francebadge/blason/internal/serve"
)

func cmdServe(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	s := serve.Server{Log: stdout, Errors: stderr, Lang: langOf(stderr)}
	fs.source(&s.Source, "source folder (holding blason.yaml)")
	fs.withConfig()
	fs.StringVar(&s.Bind, "bind", "127.0.0.1", "interface to listen on")
	fs.IntVar(&s.Port, "port", 1313, "port to listen on (0 picks a free port)")
	fs.alias("port", "p")
	if err := parse(fs, args); err != nil {
		return err
	}
	s.Build = func(dest, baseURL string) error {
		res, err := build.Run(build.Options{Source: s.Source, Destination: dest, BaseURL: baseURL, Config: fs.configFile(),
			Waiting: func(dest string, pid int) {
				fmt.Fprintln(stderr, waitingMessage(langOf(stderr), dest, pid, build.DefaultLockWait))
			}})
		if err == nil {
			say(stdout, "%d spaces, %d badge classes, %d awards; %d files: %d written, %d unchanged, %d removed",
				res.Spaces, res.Badges, res.Awards, res.Files, res.Written, res.Unchanged, res.Removed)
		}
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl+C ends the process at once, even during a build
	}()
	return s.Run(ctx) // run() prints errors in the chosen language
}
