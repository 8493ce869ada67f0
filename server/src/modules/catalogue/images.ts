import { CATEGORIES, type Category } from './categories';

/** Product pictures the project serves itself (no outside URLs): a simple drawing per category. */
const SHAPES: Record<Category, string> = {
  air_conditioner: '<rect x="40" y="70" width="220" height="70" rx="14" fill="#fff" stroke="#555" stroke-width="6"/><path d="M70 160 q10 20 0 40 M150 160 q10 20 0 40 M230 160 q10 20 0 40" stroke="#4aa3df" stroke-width="6" fill="none"/>',
  refrigerator: '<rect x="95" y="30" width="110" height="220" rx="12" fill="#fff" stroke="#555" stroke-width="6"/><line x1="95" y1="110" x2="205" y2="110" stroke="#555" stroke-width="6"/><line x1="185" y1="60" x2="185" y2="90" stroke="#555" stroke-width="6"/>',
  washing_machine: '<rect x="70" y="40" width="160" height="200" rx="14" fill="#fff" stroke="#555" stroke-width="6"/><circle cx="150" cy="150" r="55" fill="#d8eefc" stroke="#555" stroke-width="6"/>',
  tv: '<rect x="35" y="50" width="230" height="150" rx="10" fill="#333"/><rect x="50" y="63" width="200" height="124" fill="#4aa3df"/><line x1="150" y1="200" x2="150" y2="235" stroke="#555" stroke-width="8"/>',
  water_heater: '<rect x="60" y="80" width="180" height="110" rx="50" fill="#fff" stroke="#555" stroke-width="6"/><circle cx="200" cy="135" r="14" fill="#E8480C"/>',
  range_hood: '<path d="M60 170 L110 70 L190 70 L240 170 Z" fill="#ddd" stroke="#555" stroke-width="6"/><rect x="120" y="30" width="60" height="40" fill="#ccc" stroke="#555" stroke-width="6"/>',
  gas_hob: '<rect x="40" y="110" width="220" height="70" rx="10" fill="#333"/><circle cx="100" cy="145" r="22" fill="none" stroke="#4aa3df" stroke-width="6"/><circle cx="200" cy="145" r="22" fill="none" stroke="#4aa3df" stroke-width="6"/>',
  integrated_stove: '<rect x="60" y="40" width="180" height="210" rx="10" fill="#eee" stroke="#555" stroke-width="6"/><rect x="75" y="60" width="150" height="40" fill="#333"/><circle cx="115" cy="130" r="16" fill="none" stroke="#E8480C" stroke-width="5"/><circle cx="185" cy="130" r="16" fill="none" stroke="#E8480C" stroke-width="5"/>',
  dishwasher: '<rect x="70" y="50" width="160" height="190" rx="12" fill="#fff" stroke="#555" stroke-width="6"/><rect x="85" y="65" width="130" height="25" fill="#ccc"/><path d="M100 160 h100 M100 190 h100" stroke="#4aa3df" stroke-width="6"/>',
  robot_vacuum: '<circle cx="150" cy="150" r="95" fill="#fff" stroke="#555" stroke-width="6"/><circle cx="150" cy="150" r="30" fill="#ddd" stroke="#555" stroke-width="5"/>',
  small_kitchen: '<path d="M90 100 h120 l-15 130 h-90 z" fill="#fff" stroke="#555" stroke-width="6"/><rect x="110" y="70" width="80" height="30" fill="#E8480C"/>',
};

export function categoryImage(category: Category): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300" viewBox="0 0 300 300">
<rect width="300" height="300" fill="#FFF4EE"/>${SHAPES[category]}
<text x="150" y="285" font-size="26" text-anchor="middle" fill="#B33600" font-family="sans-serif">${CATEGORIES[category]}</text></svg>`;
}

export const imageUrlFor = (category: Category) => `/api/v1/images/${category}.svg`;
