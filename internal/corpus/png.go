package corpus

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math/rand/v2"
)

// screenshot draws a small flat "app window" (title bar, sidebar, lines of
// text, a button) in colours drawn from seed, and encodes it as PNG. The
// same arguments always give the same bytes.
func screenshot(w, h int, seed uint64) ([]byte, error) {
	r := rand.New(rand.NewPCG(seed, 7))
	accent := color.RGBA{uint8(40 + r.IntN(160)), uint8(40 + r.IntN(160)), uint8(40 + r.IntN(160)), 255}
	pal := color.Palette{
		color.RGBA{250, 250, 252, 255}, // background
		color.RGBA{232, 234, 240, 255}, // sidebar
		color.RGBA{190, 194, 204, 255}, // text lines
		accent,
		color.RGBA{255, 255, 255, 255},
	}
	img := image.NewPaletted(image.Rect(0, 0, w, h), pal)
	fill := func(x0, y0, x1, y1 int, c uint8) {
		draw.Draw(img, image.Rect(x0, y0, x1, y1), &image.Uniform{pal[c]}, image.Point{}, draw.Src)
	}
	fill(0, 0, w, h, 0)
	bar := h / 9
	fill(0, 0, w, bar, 3)
	side := w / 4
	fill(0, bar, side, h, 1)
	for y := bar + 12; y+6 < h-40; y += 16 {
		fill(12, y, side-12-r.IntN(side/3), y+6, 2)
		fill(side+16, y, w-16-r.IntN(w/3), y+6, 2)
	}
	bx := side + 16 + r.IntN(w/3)
	fill(bx, h-32, bx+70, h-12, 3)
	fill(bx+10, h-25, bx+60, h-19, 4)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("encode image: %w", err)
	}
	return b.Bytes(), nil
}
