// The 大字 switch of the volunteer's pages, remembered on her phone.
import { ref, watch } from 'vue'

const key = 'zl-big-text'
export const bigText = ref(typeof localStorage !== 'undefined' && localStorage.getItem(key) === '1')
watch(bigText, (on) => localStorage.setItem(key, on ? '1' : '0'))
