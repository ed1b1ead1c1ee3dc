// Public API of src/subscription (re-exported by src/index.ts).
export {};
