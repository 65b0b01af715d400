const FEW_LEFT = 10;

export function StockState({ stock }: { stock: number }) {
  if (stock <= 0) return <span class="stock stock-out">Out of stock</span>;
  if (stock <= FEW_LEFT) return <span class="stock stock-low">Only {stock} left</span>;
  return <span class="stock stock-in">In stock</span>;
}
