/** One example's 8-bit pixels (HWC, 1 or 3 channels) as a PNG data URL, for the gallery of misclassified examples. */

export function exampleDataUrl(pixels: Uint8Array, [height, width, channels]: readonly [number, number, number]): string {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) return '';
  const image = context.createImageData(width, height);
  for (let i = 0; i < width * height; i += 1) {
    // grey examples give three equal channels; RGB ones their own; other channel counts show the first
    const grey = channels !== 3;
    image.data[4 * i] = pixels[i * channels]!;
    image.data[4 * i + 1] = pixels[i * channels + (grey ? 0 : 1)]!;
    image.data[4 * i + 2] = pixels[i * channels + (grey ? 0 : 2)]!;
    image.data[4 * i + 3] = 255;
  }
  context.putImageData(image, 0, 0);
  return canvas.toDataURL('image/png');
}
