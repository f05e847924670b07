package jsonld

import (
	"encoding/json"
	"path"
	"sort"
)

// Published returns the files that publish the embedded contexts on a
// site, so that an in-browser JSON-LD processor reads them from the site's
// own origin, never from the network: each context under its file name,
// and index.json mapping each context URL to its file name. Paths are
// relative to the folder they are published in (assets/contexts/).
func Published() (map[string][]byte, error) {
	out := map[string][]byte{}
	index := map[string]string{}
	urls := make([]string, 0, len(byURL))
	for u := range byURL {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	for _, u := range urls {
		b, err := files.ReadFile(byURL[u])
		if err != nil {
			return nil, err
		}
		name := path.Base(byURL[u])
		out[name] = b
		index[u] = name
	}
	b, err := json.MarshalIndent(index, "", "  ")
	if err != nil {
		return nil, err
	}
	out["index.json"] = append(b, '\n')
	return out, nil
}
