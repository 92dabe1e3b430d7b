// Poster frames: the first frame of a recorded range, decoded by the browser from the init
// segment and first fragment the server picks by container alone (GET …/poster.mp4?at=),
// drawn to a small JPEG. One decode at a time, each answer kept for the page's life.

const WIDTH = 160;
const cache = new Map();
let queue = Promise.resolve();

function decode(url) {
  return new Promise((resolve, reject) => {
    const video = document.createElement('video');
    video.muted = true;
    video.preload = 'auto';
    const timer = setTimeout(() => finish(new Error('poster: timed out')), 15_000);
    function finish(error, value) {
      clearTimeout(timer);
      video.removeAttribute('src');
      video.load();
      if (error) reject(error);
      else resolve(value);
    }
    video.addEventListener('error', () => finish(new Error('poster: cannot decode')));
    // the first frame is there once seeking to 0 completes
    video.addEventListener(
      'loadeddata',
      () => {
        video.currentTime = 0;
      },
      { once: true },
    );
    video.addEventListener(
      'seeked',
      () => {
        const canvas = document.createElement('canvas');
        canvas.width = WIDTH;
        canvas.height = Math.max(1, Math.round((WIDTH * video.videoHeight) / Math.max(1, video.videoWidth)));
        canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
        finish(undefined, canvas.toDataURL('image/jpeg', 0.7));
      },
      { once: true },
    );
    video.src = url;
  });
}

/** A data: URL of the frame at (or just after) `ms` in `asset`; rejects when none can be made. */
export function posterFor(asset, ms) {
  const url = `/api/assets/${encodeURIComponent(asset)}/poster.mp4?at=${new Date(ms).toISOString()}`;
  let p = cache.get(url);
  if (!p) {
    p = queue.then(() => decode(url));
    queue = p.catch(() => undefined);
    cache.set(url, p);
  }
  return p;
}
