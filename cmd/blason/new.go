package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/francebadge/blason/internal/config"
	"github.com/francebadge/blason/internal/i18n"
	"github.com/francebadge/blason/internal/scaffold"
)

const newUsage = `usage: blason new site DIR [--title T] [--baseURL URL] [--space NAME] [--issuer NAME] [--lang fr,en] [--force]
       blason new space NAME [-s SOURCE] [--title ISSUER]
       blason new badge SPACE/SLUG [-s SOURCE] [--title NAME] [--levels "Débutant,Confirmé,Expert"]
`

// cmdNew writes the starting files of a site, a space or a badge class.
func cmdNew(args []string, stdout, stderr io.Writer) error {
	lang := langOf(stderr)
	if len(args) == 0 {
		fmt.Fprint(stderr, newUsage)
		return errUsage{errors.New("new: what to create")}
	}
	var err error
	switch args[0] {
	case "site":
		err = newSite(args[1:], lang, stdout, stderr)
	case "space":
		err = newSpace(args[1:], lang, stdout, stderr)
	case "badge":
		err = newBadge(args[1:], lang, stdout, stderr)
	default:
		fmt.Fprintln(stderr, lang.Sprintf("blason new: unknown kind %q (site, space or badge)", args[0]))
		fmt.Fprint(stderr, newUsage)
		return errUsage{errors.New("new: unknown kind")}
	}
	var usageErr errUsage
	if err != nil && !errors.As(err, &usageErr) {
		return errors.New(lang.Translate(err.Error()))
	}
	return err
}

// positional splits the one positional argument from the flags, which may
// come before or after it.
func positional(fs *flagSet, args []string, what string, lang i18n.Lang, stderr io.Writer) (string, error) {
	var pos []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return "", errUsage{err}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, lang.Sprintf("blason new: give one %s", lang.Translate(what)))
		fmt.Fprint(stderr, newUsage)
		return "", errUsage{errors.New("new: arguments")}
	}
	return pos[0], nil
}

func newSite(args []string, lang i18n.Lang, stdout, stderr io.Writer) error {
	fs := newFlags("new site", stderr)
	var o scaffold.SiteOptions
	var langs string
	fs.StringVar(&o.Title, "title", scaffold.DefaultTitle, "site title")
	fs.baseURL(&o.BaseURL, "address the site will be published at")
	o.BaseURL = scaffold.DefaultBaseURL
	fs.Lookup("baseURL").DefValue = scaffold.DefaultBaseURL
	fs.StringVar(&o.Space, "space", scaffold.DefaultSpace, "slug of the first space (institution)")
	fs.StringVar(&o.Issuer, "issuer", scaffold.DefaultIssuer, "name of the institution issuing the badges")
	fs.StringVar(&langs, "languages", strings.Join(config.SupportedLanguages, ","), "page languages, the first the default")
	force := fs.Bool("force", false, "add the files to a folder that is not empty (no file is ever replaced)")
	dir, err := positional(fs, args, "folder (DIR)", lang, stderr)
	if err != nil {
		return err
	}
	o.Languages = strings.Split(langs, ",")
	for i := range o.Languages {
		o.Languages[i] = strings.TrimSpace(o.Languages[i])
	}
	files, err := scaffold.SiteFiles(o)
	if err != nil {
		return err
	}
	if !*force {
		held, err := scaffold.Entries(dir)
		if err != nil {
			return err
		}
		if len(held) > 0 {
			return fmt.Errorf("%s is not empty: it holds %s; nothing was written\n\thint: choose a new folder, or add --force to add the site's files beside these (no file is ever replaced)", dir, strings.Join(held, ", "))
		}
	}
	if err := scaffold.Write(dir, files); err != nil {
		return err
	}
	printCreated(stdout, lang, dir, files)
	space := o.Space
	fmt.Fprintln(stdout, lang.Sprintf("next:"))
	fmt.Fprintln(stdout, "  "+lang.Sprintf("edit %s (your institution), then the badge and the award list beside it", filepath.Join(dir, "content", space, "_space.md")))
	fmt.Fprintln(stdout, "  "+lang.Sprintf("blason build -s %s    builds the site into %s", dir, filepath.Join(dir, "site")))
	fmt.Fprintln(stdout, "  "+lang.Sprintf("blason serve -s %s    previews it at http://localhost:1313/", dir))
	fmt.Fprintln(stdout, "  "+lang.Sprintf("%s explains every file (in French)", filepath.Join(dir, "README.md")))
	return nil
}

// siteSource checks that src is a site folder.
func siteSource(src string) error {
	if _, err := os.Stat(filepath.Join(src, config.FileName)); err != nil {
		return fmt.Errorf("%s is not a site folder: it has no %s\n\thint: run the command in the site folder or give it with -s, or create a site with `blason new site DIR`", src, config.FileName)
	}
	return nil
}

func newSpace(args []string, lang i18n.Lang, stdout, stderr io.Writer) error {
	fs := newFlags("new space", stderr)
	var o scaffold.SpaceOptions
	src := new(string)
	fs.source(src, "source folder (holding blason.yaml)")
	fs.StringVar(&o.Issuer, "title", "", "name of the institution (default: NAME)")
	name, err := positional(fs, args, "space NAME", lang, stderr)
	if err != nil {
		return err
	}
	o.Space = name
	files, err := scaffold.SpaceFiles(o)
	if err != nil {
		return err
	}
	if err := siteSource(*src); err != nil {
		return err
	}
	if held, _ := scaffold.Entries(filepath.Join(*src, "content", name)); len(held) > 0 {
		return fmt.Errorf("space %s exists already (%s); nothing was written\n\thint: choose another name, or add a badge to it with `blason new badge %s/SLUG`", name, filepath.Join(*src, "content", name), name)
	}
	if err := scaffold.Write(*src, files); err != nil {
		return err
	}
	printCreated(stdout, lang, *src, files)
	fmt.Fprintln(stdout, lang.Sprintf("next:"))
	fmt.Fprintln(stdout, "  "+lang.Sprintf("edit %s (name, url, email of the institution)", filepath.Join(*src, "content", name, "_space.md")))
	fmt.Fprintln(stdout, "  "+lang.Sprintf("blason new badge %s/SLUG --title \"…\"    adds a badge class to it", name))
	return nil
}

func newBadge(args []string, lang i18n.Lang, stdout, stderr io.Writer) error {
	fs := newFlags("new badge", stderr)
	var o scaffold.BadgeOptions
	src := new(string)
	fs.source(src, "source folder (holding blason.yaml)")
	fs.StringVar(&o.Name, "title", "", "badge name (default: SLUG)")
	levels := fs.String("levels", "", "level names, lowest first, separated by commas")
	arg, err := positional(fs, args, "SPACE/SLUG", lang, stderr)
	if err != nil {
		return err
	}
	space, slug, ok := strings.Cut(arg, "/")
	if !ok || space == "" || slug == "" {
		return fmt.Errorf("%q is not SPACE/SLUG\n\thint: name the space and the badge, e.g. blason new badge %s/%s", arg, scaffold.DefaultSpace, scaffold.DefaultBadge)
	}
	o.Space, o.Badge = space, slug
	if *levels != "" {
		o.Levels = strings.Split(*levels, ",")
	}
	files, err := scaffold.BadgeFiles(o)
	if err != nil {
		return err
	}
	if err := siteSource(*src); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(*src, "content", space, "_space.md")); err != nil {
		return fmt.Errorf("no space %s in %s\n\thint: create it first with `blason new space %s`", space, filepath.Join(*src, "content"), space)
	}
	if err := scaffold.Write(*src, files); err != nil {
		return err
	}
	printCreated(stdout, lang, *src, files)
	fmt.Fprintln(stdout, lang.Sprintf("next:"))
	fmt.Fprintln(stdout, "  "+lang.Sprintf("edit %s (description, criteria) and replace its image %s", filepath.Join(*src, files[0].Path), filepath.Base(files[1].Path)))
	if len(o.Levels) > 0 {
		fmt.Fprintln(stdout, "  "+lang.Sprintf("award it in %s: a row with badge %s and a level column holding a level id", filepath.Join(*src, "content", space, "awards", "*.csv"), slug))
	} else {
		fmt.Fprintln(stdout, "  "+lang.Sprintf("award it in %s: a row with badge %s", filepath.Join(*src, "content", space, "awards", "*.csv"), slug))
	}
	return nil
}

func printCreated(stdout io.Writer, lang i18n.Lang, root string, files []scaffold.File) {
	for _, f := range files {
		fmt.Fprintln(stdout, lang.Sprintf("created %s", filepath.Join(root, filepath.FromSlash(f.Path))))
	}
}
