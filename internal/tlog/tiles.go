package tlog

import (
	"filippo.io/torchwood"
	sumtlog "golang.org/x/mod/sumdb/tlog"
)

// Height is the tiles' height (C2SP tlog-tiles: 256 hashes or entries a tile).
const Height = torchwood.TileHeight

// Tiles returns every tile of a tree of n entries: hash tiles of each level,
// and the entry bundles (level -1), partial ones last of their level.
func Tiles(n int64) []sumtlog.Tile {
	var out []sumtlog.Tile
	for L := 0; ; L++ {
		width := n >> (Height * L) // hashes at this level
		if width == 0 {
			break
		}
		for i := int64(0); i*torchwood.TileWidth < width; i++ {
			w := min(width-i*torchwood.TileWidth, torchwood.TileWidth)
			out = append(out, sumtlog.Tile{H: Height, L: L, N: i, W: int(w)})
			if L == 0 {
				out = append(out, sumtlog.Tile{H: Height, L: -1, N: i, W: int(w)})
			}
		}
	}
	return out
}

// Path returns a tile's path under the log folder (C2SP tlog-tiles).
func Path(t sumtlog.Tile) string { return torchwood.TilePath(t) }

// TileData returns the bytes of one tile of the log.
func (l *Log) TileData(t sumtlog.Tile) ([]byte, error) {
	if t.L >= 0 {
		return sumtlog.ReadTileData(t, l)
	}
	return l.s.bundle(nil, t.N, t.W)
}

// AppendTileData appends one tile of the log to dst (a build reuses one
// buffer for every tile it writes).
func (l *Log) AppendTileData(dst []byte, t sumtlog.Tile) ([]byte, error) {
	if t.L >= 0 {
		b, err := sumtlog.ReadTileData(t, l)
		return append(dst, b...), err
	}
	return l.s.bundle(dst, t.N, t.W)
}

// Changed returns the tiles of the log's present tree that differ from
// those of a tree of size from: new full tiles, and the partial ones.
func (l *Log) Changed(from int64) []sumtlog.Tile {
	var out []sumtlog.Tile
	for _, t := range Tiles(l.Size()) {
		// A tile is unchanged when it was already complete at size from.
		end := (t.N + 1) << (Height * (max(t.L, 0) + 1))
		if t.W == torchwood.TileWidth && end <= from {
			continue
		}
		out = append(out, t)
	}
	return out
}

// Each calls fn with every entry of the log, in order.
func (l *Log) Each(fn func(i int64, b []byte) error) error {
	for k := int64(0); k*torchwood.TileWidth < l.Size(); k++ {
		b, err := l.s.bundle(nil, k, int(min(l.Size()-k*torchwood.TileWidth, torchwood.TileWidth)))
		if err != nil {
			return err
		}
		for i := k * torchwood.TileWidth; len(b) > 0; i++ {
			var e []byte
			if e, b, err = torchwood.ReadTileEntry(b); err != nil {
				return err
			}
			if err := fn(i, e); err != nil {
				return err
			}
		}
	}
	return nil
}
