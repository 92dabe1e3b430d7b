export async function startReplayCamera(_o: { file: string; speed: number }): Promise<{ url: string; stats: { rtpPackets: number; clients: number }; server: { stats: { droppedPackets: number } }; close(): Promise<void> }> {
  throw new Error('not yet');
}
