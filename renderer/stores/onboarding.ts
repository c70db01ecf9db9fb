import { create } from 'zustand'

/**
 * Onboarding keeps the screen after the identity exists (the phrase and backup steps come after creation), so
 * the app shell waits until the member finishes it.
 */
export interface OnboardingStore {
  active: boolean
  setActive: (active: boolean) => void
}

export const useOnboarding = create<OnboardingStore>()((set) => ({
  active: false,
  setActive: (active) => set({ active }),
}))
