// Prices and quantities leave the execution stack as normalised decimal strings ("10.5", not
// "10.50"), the same spelling whether they come from the engine's ticks or from NUMERIC columns.
import { lotsToQuantity, ticksToPrice } from '@bulwark/engine';
import { decimal } from '@bulwark/shared-contracts';

export const priceText = (priceTicks: number, tickSize: string): string => decimal(ticksToPrice(priceTicks, tickSize)).toString();
export const quantityText = (lots: number, lotSize: string): string => decimal(lotsToQuantity(lots, lotSize)).toString();
