export async function demo(_o: unknown): Promise<void> {}
